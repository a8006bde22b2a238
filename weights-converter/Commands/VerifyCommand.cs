using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Weights;

namespace FaceNet.Net.WeightsConverter.Commands;

/// <summary><c>facenet-convert verify &lt;h5&gt; &lt;safetensors&gt;</c>: exit 0 when both give the network identical tensors, 2 otherwise.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("h5") { Description = "Keras .h5 weights (or any weight file)" };
        var second = new Argument<string>("safetensors") { Description = "The converted .safetensors (or any weight file)" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("verify", "Check that two weight files hold identical tensors (exit 0) or say where they differ (exit 2)") { first, second, json };
        command.SetAction(parse =>
        {
            var comparison = FaceNetWeights.Compare(parse.GetValue(first)!, parse.GetValue(second)!);
            if (parse.GetValue(json)) CliHost.WriteJson(comparison);
            else if (comparison.Identical)
                Console.WriteLine($"identical: {comparison.TensorCount} tensors, fingerprint {comparison.FingerprintA}");
            if (comparison.Identical) return CliHost.Success;
            Console.Error.WriteLine($"facenet-convert: the files differ in {comparison.Differences.Count} tensors: " +
                string.Join("; ", comparison.Differences.Take(5)) + (comparison.Differences.Count > 5 ? "; ..." : ""));
            return CliHost.UsageError;
        });
        return command;
    }
}
