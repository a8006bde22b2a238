using System.Text.Json;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Evaluation;

/// <summary>
/// <c>facenet evaluate</c> with pretrained FaceNet weights (the reference <c>.h5</c>) on an LFW-layout folder
/// built from the aligned faces: identical-image pairs (distance 0) against different faces separate perfectly
/// (the weights record no preprocessing, so the encoder uses prewhiten), so every fold scores 1.0 and the chosen
/// threshold lies between 0 and the smallest mismatched distance that <c>expected.json</c> implies.
/// </summary>
[Category(TestCategories.Reference)]
public class EvaluateReferenceTests
{
    private static readonly string[] People = { "angelina_jolie", "bradley_cooper", "kate_siegel", "paul_rudd", "shea_whigham" };

    [Test]
    public void Evaluate_encodes_an_LFW_folder_with_pretrained_weights()
    {
        var root = Directory.CreateTempSubdirectory("facenet-lfw-");
        try
        {
            foreach (var p in People)
            {
                Directory.CreateDirectory(Path.Combine(root.FullName, "img", p));
                File.Copy(SharedFixtures.Path("fixtures", "faces", "aligned", p + ".png"), Path.Combine(root.FullName, "img", p, p + "_0001.png"));
            }
            var expected = FaceNet.Net.Tests.Model.ReferenceCases.NormalizedByPerson("prewhiten");
            double Distance(string a, string b) => FaceNet.Net.Tests.Model.ReferenceCases.Distance(expected[a], expected[b]);
            double smallestMismatch = double.MaxValue;
            var lines = new List<string> { "10\t1" };
            for (int fold = 0; fold < 10; fold++)
            {
                string a = People[fold % 5], b = People[(fold + 1) % 5];
                lines.Add($"{a}\t1\t1");
                lines.Add($"{a}\t1\t{b}\t1");
                smallestMismatch = Math.Min(smallestMismatch, Distance(a, b));
            }
            var pairs = Path.Combine(root.FullName, "pairs.txt");
            File.WriteAllLines(pairs, lines);
            var roc = Path.Combine(root.FullName, "roc.png");

            var result = FacenetCli.Run("evaluate", "--pairs", pairs, "--images", Path.Combine(root.FullName, "img"),
                "--weights", SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), "--roc", roc, "--json");

            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            using var json = JsonDocument.Parse(result.StandardOutput);
            Assert.That(json.RootElement.GetProperty("pairs").GetInt32(), Is.EqualTo(20));
            Assert.That(json.RootElement.GetProperty("accuracy").GetDouble(), Is.EqualTo(1.0));
            Assert.That(json.RootElement.GetProperty("auc").GetDouble(), Is.EqualTo(1.0));
            Assert.That(json.RootElement.GetProperty("bestThreshold").GetDouble(), Is.GreaterThan(0).And.LessThan(smallestMismatch + 1e-3));
            Assert.That(File.Exists(roc), Is.True);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
