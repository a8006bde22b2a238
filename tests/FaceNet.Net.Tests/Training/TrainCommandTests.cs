using System.Text.Json;
using FaceNet.Net.Tests.Cli;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Training;

/// <summary>The <c>facenet train</c> command end to end on a tiny image folder, then <c>evaluate</c> with its checkpoint.</summary>
public class TrainCommandTests
{
    private string _dir = "";

    [SetUp]
    public void Init() => _dir = Directory.CreateTempSubdirectory("facenet-traincli-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_dir, true);

    [Test]
    public void Train_writes_checkpoints_resumes_and_its_checkpoint_evaluates()
    {
        var data = Path.Combine(_dir, "data");
        var rng = new Random(1);
        foreach (var name in new[] { "Ann", "Bob", "Cid", "Dee" })
        {
            Directory.CreateDirectory(Path.Combine(data, name));
            var colour = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
            for (int i = 1; i <= 3; i++)
            {
                using var image = new Image<Rgb24>(20, 20, colour);
                image[rng.Next(20), rng.Next(20)] = new Rgb24(255, 255, 255);
                image.SaveAsPng(Path.Combine(data, name, $"{name}_{i:D4}.png"));
            }
        }
        var ck = Path.Combine(_dir, "ck");
        string[] common = ["--image-size", "16", "--width", "4", "--embedding-size", "4", "-P", "2", "-K", "2", "--seed", "3", "--json"];
        var r = FacenetCli.Run(["train", data, "--epochs", "2", "--checkpoint-dir", ck, "--preprocess", "unit", .. common]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        using (var json = JsonDocument.Parse(r.StandardOutput))
        {
            Assert.That(json.RootElement.GetProperty("identities").GetInt32(), Is.EqualTo(4));
            Assert.That(json.RootElement.GetProperty("epochs").GetArrayLength(), Is.EqualTo(2));
        }
        var second = Path.Combine(ck, "checkpoint-epoch-0002.safetensors");
        Assert.That(File.Exists(second), Is.True);
        Assert.That(RecordedPreprocessing(second), Is.EqualTo("unit"), "the checkpoint records the mode its images had");

        r = FacenetCli.Run(["train", data, "--epochs", "3", "--resume", second, "--checkpoint-dir", ck, .. common]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        using (var json = JsonDocument.Parse(r.StandardOutput))
        {
            Assert.That(json.RootElement.GetProperty("startEpoch").GetInt32(), Is.EqualTo(2));
            Assert.That(json.RootElement.GetProperty("epochs")[0].GetProperty("epoch").GetInt32(), Is.EqualTo(3));
        }
        Assert.That(RecordedPreprocessing(Path.Combine(ck, "checkpoint-epoch-0003.safetensors")), Is.EqualTo("unit"),
            "without --preprocess, the run resumes in the mode the checkpoint declares");

        File.WriteAllText(Path.Combine(_dir, "pairs.txt"), "2\t1\nAnn\t1\t2\nAnn\t1\tBob\t1\nCid\t2\t3\nCid\t1\tDee\t3\n");
        var emb = Path.Combine(_dir, "emb.json");
        r = FacenetCli.Run("evaluate", "--pairs", Path.Combine(_dir, "pairs.txt"), "--images", data,
            "--weights", Path.Combine(ck, "checkpoint-epoch-0003.safetensors"), "--folds", "2", "--save-embeddings", emb);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
        Assert.That(r.StandardOutput, Does.Contain("pairs            4 (2 matched) in 2 folds"));
        Assert.That(JsonDocument.Parse(File.ReadAllText(emb)).RootElement.EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "Ann/Ann_0001.png", "Ann/Ann_0002.png", "Bob/Bob_0001.png", "Cid/Cid_0002.png", "Cid/Cid_0003.png", "Cid/Cid_0001.png", "Dee/Dee_0003.png" }));
    }

    private static string RecordedPreprocessing(string checkpoint)
    {
        using var file = FaceNet.Net.Training.TrainingCheckpoint.Read(checkpoint);
        return file.Metadata[FaceNet.Net.Weights.SafetensorsMetadata.Preprocessing];
    }

    [Test]
    public void Bad_input_exits_2_with_one_stderr_line()
    {
        var r = FacenetCli.Run("train", Path.Combine(_dir, "missing"));
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(r.StandardError, Does.Contain("does not exist"));

        r = FacenetCli.Run("train", _dir, "--miner", "hardest");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
    }
}
