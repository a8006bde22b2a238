using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet verify &lt;img1&gt; &lt;img2&gt;</c>: are two faces the same person? Each input is an aligned crop or a
/// photo whose face is detected (<see cref="FaceOptions"/>); a photo with several faces is refused unless
/// <c>--face</c> picks one. Exit code 0 whenever the comparison ran, match or not; the verdict is in the output
/// (<c>isMatch</c>). 2 for bad input, 1 for internal failures.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CreateEncoder factory)
    {
        var image1 = new Argument<string>("image1") { Description = "First face: a photo or an aligned 160x160 face crop" };
        var image2 = new Argument<string>("image2") { Description = "Second face: a photo or an aligned 160x160 face crop" };
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var aligned = FaceOptions.Aligned();
        var detect = FaceOptions.Detect();
        var face = FaceOptions.Face(allowAll: false, "a photo must hold exactly one face");
        var metric = RecognitionOptions.Metric();
        var threshold = RecognitionOptions.Threshold();
        var json = RecognitionOptions.Json();
        var command = new Command("verify", "Verify that two faces (photos or aligned crops) show the same person (exit code 0 either way; see isMatch)")
        {
            image1, image2, weights, preprocess, mtcnn, aligned, detect, face, metric, threshold, json,
        };
        command.SetAction(parse =>
        {
            var m = RecognitionOptions.ParseMetric(parse.GetValue(metric));
            var t = RecognitionOptions.CheckThreshold(parse.GetValue(threshold), m);
            bool isAligned = parse.GetValue(aligned), isDetect = parse.GetValue(detect);
            FaceOptions.CheckKind(isAligned, isDetect);
            var choice = FaceOptions.ParseFace(parse.GetValue(face), allowAll: false);
            string a = parse.GetValue(image1)!, b = parse.GetValue(image2)!;
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse.GetValue(weights)!, parse.GetValue(preprocess), isAligned ? null : parse.GetValue(mtcnn));
            var reader = FaceOptions.Reader(encoder, isAligned, isDetect);
            var faces = new List<InputFace>();
            try
            {
                faces.AddRange(reader.Read(a, choice, oneFace: true));
                faces.AddRange(reader.Read(b, choice, oneFace: true));
                var embeddings = encoder.EncodeBatch(faces.Select(f => f.Crop).ToList());
                var result = FaceVerifier.Verify(embeddings[0], embeddings[1], m, t);
                if (parse.GetValue(json))
                {
                    CliHost.WriteJson(new Output(a, b, result.IsMatch, result.Distance, result.Threshold, RecognitionOptions.Name(m),
                        faces.Select(f => new FaceOutput(f.File, f.BoxArray, f.Number, f.FacesFound)).ToList()));
                }
                else
                {
                    Console.WriteLine($"{(result.IsMatch ? "match" : "no match")}: distance {result.Distance:0.0000} ({RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})");
                    foreach (var f in faces.Where(f => f.Box is not null)) Console.WriteLine($"  {f.File}:{f.BoxText}");
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

    /// <summary>The face used from one input: its box, number and the photo's face count (absent for an aligned crop).</summary>
    private sealed record FaceOutput(string Image, float[]? Box, int? Face, int? FacesFound);

    private sealed record Output(string Image1, string Image2, bool IsMatch, float Distance, float Threshold, string Metric, IReadOnlyList<FaceOutput> Faces);
}
