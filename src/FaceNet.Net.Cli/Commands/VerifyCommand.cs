using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet verify &lt;img1&gt; &lt;img2&gt;</c>: are two face images the same person? Exit code 0 whenever the
/// comparison ran, match or not; the verdict is in the output (<c>isMatch</c>). 2 for bad input, 1 for internal failures.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CreateEncoder factory)
    {
        var image1 = new Argument<string>("image1") { Description = "First face image" };
        var image2 = new Argument<string>("image2") { Description = "Second face image" };
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var metric = RecognitionOptions.Metric();
        var threshold = RecognitionOptions.Threshold();
        var json = RecognitionOptions.Json();
        var command = new Command("verify", "Verify that two face images show the same person (exit code 0 either way; see isMatch)")
        {
            image1, image2, weights, preprocess, mtcnn, metric, threshold, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var m = RecognitionOptions.ParseMetric(parse.GetValue(metric));
            var t = RecognitionOptions.CheckThreshold(parse.GetValue(threshold));
            string a = parse.GetValue(image1)!, b = parse.GetValue(image2)!;
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse, parse.GetValue(weights), parse.GetValue(preprocess), parse.GetValue(mtcnn));
            var result = encoder.Verify(a, b, m, t);
            if (parse.GetValue(json))
                CliHost.WriteJson(new Output(a, b, result.IsMatch, result.Distance, result.Threshold, RecognitionOptions.Name(m)));
            else
                Console.WriteLine($"{(result.IsMatch ? "match" : "no match")}: distance {result.Distance:0.0000} ({RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})");
            return CliHost.Success;
        });
        return command;
    }

    private sealed record Output(string Image1, string Image2, bool IsMatch, float Distance, float Threshold, string Metric);
}
