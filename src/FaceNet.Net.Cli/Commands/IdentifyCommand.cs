using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet identify --gallery g &lt;img&gt;</c>: who is this? The input is an aligned crop or a photo
/// (<see cref="FaceOptions"/>); every face of a photo is identified and reported with its box, closest identities and
/// verdict (a name, or unknown). Exit code 0 whenever the search ran, known or not.
/// </summary>
internal static class IdentifyCommand
{
    public static Command Create(CreateEncoder factory)
    {
        var image = new Argument<string>("image") { Description = "A photo (every face is identified) or an aligned 160x160 face crop" };
        var gallery = RecognitionOptions.Gallery();
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var aligned = FaceOptions.Aligned();
        var detect = FaceOptions.Detect();
        var metric = RecognitionOptions.Metric();
        var threshold = RecognitionOptions.Threshold();
        var top = new Option<int>("--top", "-k") { Description = "How many identities to list", DefaultValueFactory = _ => 5 };
        var json = RecognitionOptions.Json();
        var command = new Command("identify", "Find who each face of a photo (or an aligned crop) is in a gallery (or unknown)")
        {
            image, gallery, weights, preprocess, mtcnn, aligned, detect, metric, threshold, top, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var m = RecognitionOptions.ParseMetric(parse.GetValue(metric));
            var t = RecognitionOptions.ThresholdFor(parse.GetValue(threshold), parse.GetValue(weights), m);
            int k = parse.GetValue(top);
            if (k <= 0) throw new UsageException($"--top must be at least 1 (got {k})");
            bool isAligned = parse.GetValue(aligned), isDetect = parse.GetValue(detect);
            FaceOptions.CheckKind(isAligned, isDetect);
            string path = parse.GetValue(image)!, galleryPath = parse.GetValue(gallery)!;
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse, parse.GetValue(weights), parse.GetValue(preprocess), isAligned ? null : parse.GetValue(mtcnn), useDefaultMtcnn: isAligned ? false : null);
            var known = GalleryLocations.OpenToSearch(galleryPath, encoder);
            using var release = GalleryLocations.Releasing(known);
            var faces = FaceOptions.Reader(encoder, isAligned, isDetect).Read(path, choice: null, oneFace: false);
            try
            {
                var embeddings = encoder.EncodeBatch(faces.Select(f => f.Crop).ToList());
                var results = faces.Zip(embeddings, (f, e) => (Face: f, Result: GalleryLocations.Wait(known.IdentifyAsync(e, k, m, t)))).ToList();
                if (parse.GetValue(json))
                {
                    var outputs = results.Select(r => new FaceOutput(r.Face.Number, r.Face.BoxArray, r.Result.Identity, r.Result.IsKnown, r.Result.Distance,
                        r.Result.Candidates.Select(c => new CandidateOutput(c.Name, c.Distance, c.IsMatch)).ToList())).ToList();
                    // One face (an aligned crop, or a photo of one person): its verdict also at the top level, as before.
                    var single = outputs.Count == 1 ? outputs[0] : null;
                    CliHost.WriteJson(new Output(path, single?.Identity, single?.IsKnown, single?.Distance, results[0].Result.Threshold, RecognitionOptions.Name(m),
                        single?.Candidates, outputs));
                }
                else
                {
                    foreach (var (face, result) in results)
                    {
                        string prefix = face.Box is null ? "" : $"{face.BoxText.Trim()}: ";
                        Console.WriteLine(prefix + (result.IsKnown
                            ? $"{result.Identity} (distance {result.Distance:0.0000}, {RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})"
                            : $"unknown ({(result.Distance is float d ? $"closest distance {d:0.0000}" : "empty gallery")}, {RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})"));
                        foreach (var c in result.Candidates)
                            Console.WriteLine($"  {c.Distance:0.0000}  {c.Name}{(c.IsMatch ? "" : "  (over threshold)")}");
                    }
                }
            }
            finally
            {
                foreach (var f in faces) f.Dispose();
            }
            return CliHost.Success;
        });
        return command;
    }

    private sealed record CandidateOutput(string Name, float Distance, bool IsMatch);

    /// <summary>One face's verdict; <c>face</c> and <c>box</c> are absent for an aligned crop.</summary>
    private sealed record FaceOutput(int? Face, float[]? Box, string? Identity, bool IsKnown, float? Distance, IReadOnlyList<CandidateOutput> Candidates);

    private sealed record Output(string Image, string? Identity, bool? IsKnown, float? Distance, float Threshold, string Metric,
        IReadOnlyList<CandidateOutput>? Candidates, IReadOnlyList<FaceOutput> Faces);
}
