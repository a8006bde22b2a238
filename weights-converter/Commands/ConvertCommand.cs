using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Weights;

namespace FaceNet.Net.WeightsConverter.Commands;

/// <summary>
/// <c>facenet-convert convert &lt;weights&gt; -o &lt;out.safetensors&gt;</c>: checks Keras <c>.h5</c> or facenet-pytorch
/// <c>.pt</c> weights against the network and writes them as safetensors (temporary file, then rename: never a
/// partial output), recording the preprocessing (for a <c>.pt</c> file <c>fixed</c> unless told otherwise).
/// </summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("weights") { Description = "Keras .h5 or facenet-pytorch .pt weights" };
        var output = new Option<string>("--output", "-o") { Description = "The .safetensors file to write", Required = true };
        var preprocess = new Option<string?>("--preprocess") { Description = "Record the preprocessing the weights expect: fixed, unit or prewhiten (default for .pt: fixed)" };
        preprocess.AcceptOnlyFromAmong(SafetensorsMetadata.PreprocessingNames.ToArray());
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("convert", "Convert Keras .h5 or PyTorch .pt weights to safetensors for fast loading") { input, output, preprocess, json };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(input)!, target = parse.GetValue(output)!;
            if (Directory.Exists(source))
                throw new UsageException($"weights '{source}' is a directory: give the .h5 or .pt file inside it");
            if (Directory.Exists(target))
                throw new UsageException($"--output '{target}' is a directory: give a file name such as '{Path.Combine(target, "facenet.safetensors")}'");
            CliHost.RemoveStaleTemporaryFiles("facenet-convert", target);
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
