using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Weights;

namespace FaceNet.Net.WeightsConverter.Commands;

/// <summary>
/// <c>facenet-convert convert &lt;h5&gt; -o &lt;out.safetensors&gt;</c>: checks Keras weights against the network and
/// writes them as safetensors (temporary file, then rename: never a partial output).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("h5") { Description = "Keras .h5 weights" };
        var output = new Option<string>("--output", "-o") { Description = "The .safetensors file to write", Required = true };
        var preprocess = new Option<string?>("--preprocess") { Description = "Record the preprocessing the weights expect: fixed, unit or prewhiten" };
        preprocess.AcceptOnlyFromAmong(SafetensorsMetadata.PreprocessingNames.ToArray());
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("convert", "Convert Keras .h5 weights to safetensors for fast loading") { input, output, preprocess, json };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!, target = parse.GetValue(output)!;
            using var bar = ProgressBar.ForFraction("converting");
            var fingerprint = FaceNetWeights.ConvertToSafetensors(source, target, parse.GetValue(preprocess), bar);
            bar.Finish();
            var info = FaceNetWeights.Inspect(target);
            var result = new ConvertResult(source, target, info.TensorCount, info.ParameterCount, info.EmbeddingSize, fingerprint, new FileInfo(target).Length);
            if (parse.GetValue(json)) CliHost.WriteJson(result);
            else Console.WriteLine($"wrote {target}: {result.Tensors} tensors, {result.Parameters:N0} parameters, {result.EmbeddingSize}-d, fingerprint {fingerprint}");
            return CliHost.Success;
        });
        return command;
    }

    private sealed record ConvertResult(string Input, string Output, int Tensors, long Parameters, int? EmbeddingSize, string Fingerprint, long Bytes);
}
