using System.Text.Json;
using FaceNet.Net.Evaluation;
using FaceNet.Net.Tests.Cli;

namespace FaceNet.Net.Tests.Evaluation;

/// <summary>The <c>facenet evaluate</c> command end to end, on precomputed embeddings.</summary>
public class EvaluateCommandTests
{
    private string _dir = "";

    [SetUp]
    public void Init() => _dir = Directory.CreateTempSubdirectory("facenet-evalcli-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_dir, true);

    [Test]
    public void Evaluate_on_an_embeddings_file_prints_the_metrics_as_JSON_and_writes_the_ROC()
    {
        // Two folds; A's images point along x, B's along y: matched pairs at distance 0, mismatched at √2.
        File.WriteAllText(Path.Combine(_dir, "pairs.txt"), "2\t1\nA\t1\t2\nA\t1\tB\t1\nB\t1\t2\nA\t2\tB\t2\n");
        EmbeddingsFile.Write(Path.Combine(_dir, "emb.json"), new Dictionary<string, float[]>
        {
            ["A/A_0001.jpg"] = [1, 0], ["A/A_0002.jpg"] = [2, 0], ["B/B_0001.jpg"] = [0, 1], ["B/B_0002.jpg"] = [0, 3],
        });
        var roc = Path.Combine(_dir, "roc.png");
        var r = FacenetCli.Run("evaluate", "--pairs", Path.Combine(_dir, "pairs.txt"), "--embeddings", Path.Combine(_dir, "emb.json"),
            "--folds", "2", "--roc", roc, "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        using var json = JsonDocument.Parse(r.StandardOutput);
        Assert.That(json.RootElement.GetProperty("pairs").GetInt32(), Is.EqualTo(4));
        Assert.That(json.RootElement.GetProperty("accuracy").GetDouble(), Is.EqualTo(1.0));
        Assert.That(json.RootElement.GetProperty("auc").GetDouble(), Is.EqualTo(1.0));
        Assert.That(json.RootElement.GetProperty("eer").GetDouble(), Is.EqualTo(0.0));
        Assert.That(File.Exists(roc), Is.True);
    }

    [Test]
    public void A_malformed_pairs_line_exits_2_with_one_stderr_line_naming_it()
    {
        File.WriteAllText(Path.Combine(_dir, "pairs.txt"), "1\t1\nA\t1\t2\nA\t1\tB\n");
        File.WriteAllText(Path.Combine(_dir, "emb.json"), "{\"A/A_0001.jpg\":[1,0]}");
        var r = FacenetCli.Run("evaluate", "--pairs", Path.Combine(_dir, "pairs.txt"), "--embeddings", Path.Combine(_dir, "emb.json"));
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        var lines = r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.Contain("line 3"));
    }

    [Test]
    public void Bad_usage_exits_2()
    {
        var r = FacenetCli.Run("evaluate", "--pairs", Path.Combine(_dir, "pairs.txt"));
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StandardError, Does.Contain("exactly one of --weights"));
        File.WriteAllText(Path.Combine(_dir, "w.h5"), "not weights");
        File.WriteAllText(Path.Combine(_dir, "pairs.txt"), "1\nA\t1\t2\nA\t1\tB\t1\n");
        r = FacenetCli.Run("evaluate", "--pairs", Path.Combine(_dir, "pairs.txt"), "--images", _dir, "--weights", Path.Combine(_dir, "w.h5"));
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StandardError, Does.Contain("w.h5").And.Contain("neither Keras .h5"));
    }
}
