using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Weights;

namespace FaceNet.Net.WeightsConverter.Commands;

/// <summary><c>facenet-convert inspect &lt;file&gt;</c>: layout, Keras version, layer and parameter counts, embedding size.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Keras .h5, .safetensors or PyTorch .pt weights" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("inspect", "Describe a weight file: layout, Keras version, layers, parameters, embedding size") { file, json };
        command.SetAction(parse =>
        {
            var info = FaceNetWeights.Inspect(parse.GetValue(file)!);
            if (parse.GetValue(json)) CliHost.WriteJson(info);
            else
            {
                Console.WriteLine($"file            {info.Path}");
                Console.WriteLine($"format          {info.Format}");
                Console.WriteLine($"layout          {info.Layout}");
                if (info.KerasVersion is not null) Console.WriteLine($"keras version   {info.KerasVersion}");
                if (info.Backend is not null) Console.WriteLine($"backend         {info.Backend}");
                if (info.Format == WeightFileFormat.KerasH5)
                    Console.WriteLine($"layers          {info.LayerCount} ({info.WeightedLayerCount} with weights)");
                Console.WriteLine($"weight arrays   {info.TensorCount}");
                Console.WriteLine($"parameters      {info.ParameterCount:N0}");
                Console.WriteLine($"embedding size  {(info.EmbeddingSize?.ToString() ?? "unknown")}");
                foreach (var (k, v) in info.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) Console.WriteLine($"  {k} = {v}");
            }
            return CliHost.Success;
        });
        return command;
    }
}
