using System.Text.RegularExpressions;
using FaceNet.Net.Pretrained;
using FaceNet.Net.Tests.Docs;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// The README's first command, <c>facenet verify a.jpg b.jpg</c>, run as written (only the two photos replaced by the
/// shared fixture photos) on a machine whose cache was filled beforehand, offline: the default weights and the
/// default MTCNN come from the cache, each photo's face is detected, and the verdict is printed.
/// </summary>
public partial class ReadmeMainJobTests
{
    [Test]
    [Category(TestCategories.Reference)]
    public void The_README_first_command_runs_the_main_job_offline_from_a_filled_cache()
    {
        var readme = Path.Combine(SharedFixtures.RepositoryRoot, "README.md");
        var first = MarkdownBlocks.Read(readme).First(b => b.Language == "bash").Commands.First();
        var match = VerifyCommand().Match(first);
        Assert.That(match.Success, Is.True, $"the README's first command is 'facenet verify <photo> <photo>', not: {first}");

        using var cache = new TempFolder();
        // The vggface2 slot: the published file is facenet-pytorch's .pt; here the 128-d reference network, as a .pt
        // where this build reads facenet-pytorch files, else its Keras file (the loaders tell formats by their bytes).
        var pt = SharedFixtures.Path("fixtures", "reference-128", "facenet-pytorch-128.pt");
        var weights = ReadsPyTorch(pt) ? pt : SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var vggface2 = PretrainedCatalog.Find("vggface2")!;
        File.Copy(weights, Path.Combine(cache.Path, vggface2.Files[0].FileName));
        Directory.CreateDirectory(Path.Combine(cache.Path, "mtcnn"));
        foreach (var network in new[] { "pnet", "rnet", "onet" })
            File.Copy(SharedFixtures.Path("fixtures", "mtcnn", network + ".pt"), Path.Combine(cache.Path, "mtcnn", network + ".pt"));

        var photos = new[] { "paul_rudd.jpg", "kate_siegel.jpg" }.Select(p => SharedFixtures.Path("fixtures", "faces", "photos", p)).ToArray();
        var arguments = new[] { "verify", photos[0], photos[1] };
        var environment = new Dictionary<string, string?> { ["FACENET_OFFLINE"] = "1", ["FACENET_CACHE"] = cache.Path, ["FACENET_MIRROR"] = null };
        var run = FacenetCli.Run(environment, arguments);
        Assert.That(run.ExitCode, Is.EqualTo(0), $"{weights}\n{run}");
        Assert.That(run.StandardOutput, Does.Match(@"^(match|no match): distance \d+\.\d{4} \(euclidean, threshold [0-9.]+\)\r?\n"), run.ToString());
        Assert.That(run.StandardOutput.Split('\n').Count(line => line.Contains("face 1 of 1, box [", StringComparison.Ordinal)), Is.EqualTo(2), "each photo's face was detected");

        // The faces were detected: the same photos taken as whole images (--aligned: no detector) give another distance.
        var whole = FacenetCli.Run(environment, "verify", photos[0], photos[1], "--weights", Path.Combine(cache.Path, vggface2.Files[0].FileName), "--preprocess", "fixed", "--aligned");
        Assert.That(whole.ExitCode, Is.EqualTo(0), whole.ToString());
        Assert.That(Distance(whole.StandardOutput), Is.Not.EqualTo(Distance(run.StandardOutput)).Within(1e-4), "the main job detects and aligns the faces");
    }

    private static double Distance(string output) =>
        double.Parse(DistanceText().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static bool ReadsPyTorch(string path)
    {
        try
        {
            FaceNet.Net.Weights.FaceNetWeights.Inspect(path);
            return true;
        }
        catch (FaceNetException)
        {
            return false;   // facenet-pytorch .pt loading is not in this build
        }
    }

    [GeneratedRegex(@"^facenet verify \S+ \S+$")]
    private static partial Regex VerifyCommand();

    [GeneratedRegex(@"distance (\d+\.\d+)")]
    private static partial Regex DistanceText();
}
