using System.Text.Json;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Training;

/// <summary>
/// Fine-tuning the real network: <c>facenet train --weights reference.h5</c> trains Inception-ResNet-v1 with only
/// the head unfrozen, writes checkpoints that name the architecture, and <c>facenet evaluate</c> rebuilds the
/// network from such a checkpoint.
/// </summary>
[Category(TestCategories.Reference)]
public class FineTuneReferenceTests
{
    private static readonly string[] People = { "angelina_jolie", "bradley_cooper", "kate_siegel", "paul_rudd" };

    [Test]
    public void Fine_tuning_pretrained_weights_writes_checkpoints_that_evaluate_reloads()
    {
        var root = Directory.CreateTempSubdirectory("facenet-finetune-");
        try
        {
            var data = Path.Combine(root.FullName, "data");
            foreach (var p in People)
            {
                Directory.CreateDirectory(Path.Combine(data, p));
                using var face = Image.Load<Rgb24>(SharedFixtures.Path("fixtures", "faces", "aligned", p + ".png"));
                face.SaveAsPng(Path.Combine(data, p, "a.png"));
                face.Mutate(x => x.Flip(FlipMode.Horizontal));
                face.SaveAsPng(Path.Combine(data, p, "b.png"));
            }
            var checkpoints = Path.Combine(root.FullName, "ck");

            var train = FacenetCli.Run("train", data, "--weights", SharedFixtures.Path("fixtures", "reference-128", "weights.h5"),
                "--epochs", "1", "--batches-per-epoch", "1", "-P", "2", "-K", "2", "--train-only", "last_", "--seed", "3",
                "--checkpoint-dir", checkpoints, "--json");
            Assert.That(train.ExitCode, Is.EqualTo(0), train.ToString());
            using (var json = JsonDocument.Parse(train.StandardOutput))
            {
                Assert.That(json.RootElement.GetProperty("frozenParameters").GetInt64(), Is.GreaterThan(20_000_000), "the backbone is frozen");
                Assert.That(json.RootElement.GetProperty("trainableParameters").GetInt64(), Is.EqualTo(1792 * 128 + 2 * 128), "last_linear and last_bn");
                Assert.That(double.IsFinite(json.RootElement.GetProperty("epochs")[0].GetProperty("loss").GetDouble()), Is.True);
            }
            var checkpoint = Path.Combine(checkpoints, "checkpoint-epoch-0001.safetensors");
            Assert.That(File.Exists(checkpoint), Is.True);

            var images = Path.Combine(root.FullName, "lfw");
            foreach (var p in People)
            {
                Directory.CreateDirectory(Path.Combine(images, p));
                File.Copy(Path.Combine(data, p, "a.png"), Path.Combine(images, p, p + "_0001.png"));
                File.Copy(Path.Combine(data, p, "b.png"), Path.Combine(images, p, p + "_0002.png"));
            }
            // Two folds: all matched pairs in one and all mismatched in the other would not train a threshold, so interleave.
            var lines = new List<string> { "2\t2" };
            for (int fold = 0; fold < 2; fold++)
            {
                lines.Add($"{People[2 * fold]}\t1\t2");
                lines.Add($"{People[2 * fold + 1]}\t1\t2");
                lines.Add($"{People[2 * fold]}\t1\t{People[2 * fold + 1]}\t2");
                lines.Add($"{People[2 * fold + 1]}\t1\t{People[(2 * fold + 2) % 4]}\t2");
            }
            var pairsFile = Path.Combine(root.FullName, "pairs.txt");
            File.WriteAllLines(pairsFile, lines);

            var evaluate = FacenetCli.Run("evaluate", "--pairs", pairsFile, "--images", images, "--weights", checkpoint, "--folds", "2", "--json");
            Assert.That(evaluate.ExitCode, Is.EqualTo(0), evaluate.ToString());
            using var metrics = JsonDocument.Parse(evaluate.StandardOutput);
            Assert.That(metrics.RootElement.GetProperty("pairs").GetInt32(), Is.EqualTo(8));
            Assert.That(metrics.RootElement.GetProperty("auc").GetDouble(), Is.InRange(0.0, 1.0));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
