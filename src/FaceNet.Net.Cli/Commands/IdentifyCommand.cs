using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet identify --gallery g &lt;img&gt;</c>: who is this? Prints the closest identities and the verdict
/// (a name, or unknown). Exit code 0 whenever the search ran, known or not.
/// </summary>
internal static class IdentifyCommand
{
    public static Command Create(CreateEncoder factory)
    {
        var image = new Argument<string>("image") { Description = "Face image to identify" };
        var gallery = RecognitionOptions.Gallery();
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var metric = RecognitionOptions.Metric();
        var threshold = RecognitionOptions.Threshold();
        var top = new Option<int>("--top", "-k") { Description = "How many identities to list", DefaultValueFactory = _ => 5 };
        var json = RecognitionOptions.Json();
        var command = new Command("identify", "Find who a face image shows in a gallery (or unknown)")
        {
            image, gallery, weights, preprocess, mtcnn, metric, threshold, top, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var m = RecognitionOptions.ParseMetric(parse.GetValue(metric));
            var t = RecognitionOptions.CheckThreshold(parse.GetValue(threshold));
            int k = parse.GetValue(top);
            if (k <= 0) throw new UsageException($"--top must be at least 1 (got {k})");
            string path = parse.GetValue(image)!, galleryPath = parse.GetValue(gallery)!;
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse, parse.GetValue(weights), parse.GetValue(preprocess), parse.GetValue(mtcnn));
            using var faces = InMemoryFaceGallery.Load(galleryPath, encoder);
            var result = faces.Identify(encoder.Encode(path), k, m, t);
            if (parse.GetValue(json))
            {
                CliHost.WriteJson(new Output(path, result.Identity, result.IsKnown, result.Distance, result.Threshold, RecognitionOptions.Name(m),
                    result.Candidates.Select(c => new CandidateOutput(c.Name, c.Distance, c.IsMatch)).ToList()));
            }
            else
            {
                Console.WriteLine(result.IsKnown
                    ? $"{result.Identity} (distance {result.Distance:0.0000}, {RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})"
                    : $"unknown ({(result.Distance is float d ? $"closest distance {d:0.0000}" : "empty gallery")}, {RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})");
                foreach (var c in result.Candidates)
                    Console.WriteLine($"  {c.Distance:0.0000}  {c.Name}{(c.IsMatch ? "" : "  (over threshold)")}");
            }
            return CliHost.Success;
        });
        return command;
    }

    private sealed record CandidateOutput(string Name, float Distance, bool IsMatch);

    private sealed record Output(string Image, string? Identity, bool IsKnown, float? Distance, float Threshold, string Metric, IReadOnlyList<CandidateOutput> Candidates);
}
