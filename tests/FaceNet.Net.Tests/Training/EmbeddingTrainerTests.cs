using System.Diagnostics;
using FaceNet.Net.Evaluation;
using FaceNet.Net.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

public class EmbeddingTrainerTests
{
    private const int Size = 32;
    private string _dir = "";

    [SetUp]
    public void Init()
    {
        FaceNetRuntime.EnsureInitialized();
        _dir = Directory.CreateTempSubdirectory("facenet-train-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    private static TensorIdentityDataset Synthetic(int identities, int images, int seed) =>
        new(Enumerable.Range(0, identities).Select(i => $"person_{i:D2}").ToList(), SyntheticIdentities.Generate(identities, images, Size, seed));

    private static CompactEmbeddingNetwork Network(int seed, int width = 16)
    {
        torch.manual_seed(seed);
        return new CompactEmbeddingNetwork(embeddingSize: 32, width: width, inputSize: Size);
    }

    /// <summary>Embeds every image of <paramref name="data"/> (L2-normalised, evaluation mode) with its identity.</summary>
    private static List<(int Id, float[] E)> Embed(CompactEmbeddingNetwork net, TensorIdentityDataset data)
    {
        net.eval();
        var rows = new List<(int Id, float[] E)>();
        using (no_grad())
            for (int i = 0; i < data.IdentityCount; i++)
            {
                using var scope = NewDisposeScope();
                var images = stack(Enumerable.Range(0, data.ImageCount(i)).Select(k => data.LoadImage(i, k)));
                var e = nn.functional.normalize(net.forward(images), p: 2, dim: 1);
                for (int k = 0; k < data.ImageCount(i); k++) rows.Add((i, e[k].data<float>().ToArray()));
            }
        return rows;
    }

    /// <summary>10-fold accuracy: all matched pairs, and as many mismatched ones (seeded choice), interleaved.</summary>
    private static VerificationMetrics Verify(List<(int Id, float[] E)> rows)
    {
        var same = new List<(float, bool)>();
        var diff = new List<(float, bool)>();
        for (int a = 0; a < rows.Count; a++)
            for (int b = a + 1; b < rows.Count; b++)
                (rows[a].Id == rows[b].Id ? same : diff).Add((PairDistances.Distance(rows[a].E, rows[b].E), rows[a].Id == rows[b].Id));
        var rng = new Random(1);
        var pickedDiff = diff.OrderBy(_ => rng.Next()).Take(same.Count).ToList();
        var pairs = same.Zip(pickedDiff).SelectMany(p => new[] { p.First, p.Second }).ToList();
        return VerificationEvaluator.Evaluate(pairs);
    }

    /// <summary>The batch-hard triplet loss (every anchor counts) of the held-out embeddings as one batch.</summary>
    private static float ValidationLoss(List<(int Id, float[] E)> rows)
    {
        using var loss = new TripletLoss(0.2f, TripletMiningStrategy.BatchHard);
        using var x = tensor(rows.SelectMany(r => r.E).ToArray()).view(rows.Count, -1);
        using var result = loss.Compute(x, rows.Select(r => r.Id).ToList());
        return result.LossValue;
    }

    [Test]
    public void Fine_tuning_lowers_the_loss_and_raises_held_out_verification_accuracy()
    {
        var clock = Stopwatch.StartNew();
        using var train = Synthetic(24, 8, seed: 1);
        using var heldOut = Synthetic(10, 6, seed: 2);
        using var net = Network(3, width: 8);
        var options = new TrainingOptions
        {
            Epochs = 8, BatchesPerEpoch = 10, IdentitiesPerBatch = 8, ImagesPerIdentity = 4, LearningRate = 3e-3,
            Miner = TripletMiningStrategy.SemiHard, Seed = 7, CheckpointDirectory = _dir,
            Augmentation = new AugmentationOptions { FlipProbability = 0, CropPadding = 2 },
            CheckpointMetadata = net.ToMetadata(),
        };
        var reports = new List<TrainingProgress>();
        var result = new EmbeddingTrainer(net, options).Train(train, new SynchronousProgress<TrainingProgress>(reports.Add));

        Assert.That(reports, Has.Count.EqualTo(80));
        Assert.That(result.Epochs, Has.Count.EqualTo(8));
        using var afterFirst = Network(99, width: 8);
        EmbeddingTrainer.LoadModelWeights(afterFirst, result.Epochs[0].CheckpointPath!);
        var firstRows = Embed(afterFirst, heldOut);
        var lastRows = Embed(net, heldOut);
        var first = Verify(firstRows);
        var last = Verify(lastRows);
        float firstHeldOutLoss = ValidationLoss(firstRows), lastHeldOutLoss = ValidationLoss(lastRows);
        var e0 = result.Epochs[0];
        var eN = result.Epochs[^1];
        TestContext.Out.WriteLine($"training loss (semi-hard) {e0.MeanLoss:F4} -> {eN.MeanLoss:F4}; active fraction {e0.MeanActiveFraction:F3} -> {eN.MeanActiveFraction:F3}; " +
            $"held-out batch-hard loss {firstHeldOutLoss:F4} -> {lastHeldOutLoss:F4}; held-out accuracy {first.Accuracy:F3} ± {first.AccuracyStd:F3} -> {last.Accuracy:F3} ± {last.AccuracyStd:F3}, " +
            $"AUC {first.Auc:F3} -> {last.Auc:F3}; {clock.Elapsed.TotalSeconds:F1} s");

        Assert.That(eN.MeanLoss, Is.LessThan(e0.MeanLoss), "the training loss falls");
        Assert.That(eN.MeanActiveFraction, Is.LessThan(e0.MeanActiveFraction - 0.2), "the share of pairs still violating the margin falls by more than 20 points");
        Assert.That(lastHeldOutLoss, Is.LessThan(0.7 * firstHeldOutLoss), "the held-out triplet loss falls by more than 30 %");
        Assert.That(last.Accuracy, Is.GreaterThan(first.Accuracy + 0.2), "held-out 10-fold accuracy rises by more than 20 points");
        Assert.That(last.Accuracy, Is.GreaterThan(0.8));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public void Training_is_deterministic_for_a_seed_and_a_resumed_run_matches_an_uninterrupted_one()
    {
        using var data = Synthetic(6, 4, seed: 5);
        TrainingOptions Options(string dir, int epochs, string? resume = null) => new()
        {
            Epochs = epochs, BatchesPerEpoch = 3, IdentitiesPerBatch = 3, ImagesPerIdentity = 3, Optimizer = OptimizerKind.Adam,
            Schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.Cosine }, Seed = 21,
            CheckpointDirectory = dir, ResumeFrom = resume,
        };
        using var a = Network(4, width: 4);
        var ra = new EmbeddingTrainer(a, Options(Path.Combine(_dir, "a"), 3)).Train(data);
        using var b = Network(4, width: 4);
        var rb = new EmbeddingTrainer(b, Options(Path.Combine(_dir, "b"), 3)).Train(data);
        Assert.That(rb.Epochs.Select(e => e.MeanLoss), Is.EqualTo(ra.Epochs.Select(e => e.MeanLoss)));
        Assert.That(SameWeights(a, b), Is.True, "two runs with one seed give identical weights");

        // Interrupt a 3-epoch run once epoch 2 is done (its checkpoint is written), then resume it on other weights.
        using var c = Network(4, width: 4);
        using var stop = new CancellationTokenSource();
        var interrupted = new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 1 && p.Step == p.StepsPerEpoch - 1) stop.Cancel(); });
        Assert.That(() => new EmbeddingTrainer(c, Options(Path.Combine(_dir, "c"), 3)).Train(data, interrupted, stop.Token),
            Throws.InstanceOf<OperationCanceledException>());
        var checkpoint = Path.Combine(_dir, "c", "checkpoint-epoch-0002.safetensors");
        Assert.That(Directory.GetFiles(Path.Combine(_dir, "c")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "checkpoint-epoch-0001.safetensors", "checkpoint-epoch-0002.safetensors" }));
        using var d = Network(77, width: 4);   // other initial weights: the checkpoint must replace them
        var rd = new EmbeddingTrainer(d, Options(Path.Combine(_dir, "d"), 3, checkpoint)).Train(data);
        Assert.That(rd.StartEpoch, Is.EqualTo(2));
        Assert.That(rd.Epochs.Single().MeanLoss, Is.EqualTo(ra.Epochs[2].MeanLoss).Within(1e-6));
        Assert.That(SameWeights(a, d, 1e-6), Is.True, "resuming after epoch 2 ends where the uninterrupted run ended");
        Assert.That(ra.Epochs[2].LearningRate, Is.EqualTo(0.0).Within(1e-12), "cosine schedule reaches its minimum in the last epoch");
    }

    [Test]
    public void Frozen_parameters_and_their_batch_norm_statistics_do_not_change()
    {
        using var data = Synthetic(6, 4, seed: 8);
        using var net = Network(5, width: 4);
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var result = new EmbeddingTrainer(net, new TrainingOptions
        {
            Epochs = 1, BatchesPerEpoch = 3, IdentitiesPerBatch = 3, ImagesPerIdentity = 2, Optimizer = OptimizerKind.Sgd,
            LearningRate = 0.05, Miner = TripletMiningStrategy.BatchHard, FreezePrefixes = ["conv1", "conv2"],
        }).Train(data);
        var after = net.state_dict();
        foreach (var name in before.Keys)
        {
            bool frozen = name.StartsWith("conv1") || name.StartsWith("conv2");
            bool unchanged = before[name].eq(after[name]).all().item<bool>();
            if (frozen) Assert.That(unchanged, Is.True, $"{name} is frozen");
        }
        Assert.That(before["conv3.conv.weight"].eq(after["conv3.conv.weight"]).all().item<bool>(), Is.False, "conv3 trains");
        Assert.That(before["head.weight"].eq(after["head.weight"]).all().item<bool>(), Is.False, "the head trains");
        Assert.That(result.FrozenParameters, Is.EqualTo(net.named_parameters().Where(p => p.name.StartsWith("conv1") || p.name.StartsWith("conv2")).Sum(p => p.parameter.numel())));
        foreach (var t in before.Values) t.Dispose();
    }

    [Test]
    public void Train_only_the_head_leaves_the_backbone_untouched()
    {
        using var data = Synthetic(6, 4, seed: 9);
        using var net = Network(6, width: 4);
        using var stem = net.state_dict()["conv1.conv.weight"].clone();
        using var head = net.state_dict()["head.weight"].clone();
        new EmbeddingTrainer(net, new TrainingOptions { Epochs = 1, BatchesPerEpoch = 2, IdentitiesPerBatch = 3, ImagesPerIdentity = 2, TrainOnlyPrefixes = ["head"], Miner = TripletMiningStrategy.BatchHard }).Train(data);
        Assert.That(net.state_dict()["conv1.conv.weight"].eq(stem).all().item<bool>(), Is.True);
        Assert.That(net.state_dict()["head.weight"].eq(head).all().item<bool>(), Is.False);
    }

    [Test]
    public void Bad_settings_fail_before_training_with_a_clear_message()
    {
        using var data = Synthetic(4, 3, seed: 10);
        using var net = Network(7, width: 4);
        var ok = new TrainingOptions { Epochs = 1, IdentitiesPerBatch = 2, ImagesPerIdentity = 2 };
        Assert.That(() => new EmbeddingTrainer(net, ok with { FreezePrefixes = ["stem"] }).Train(data),
            Throws.InstanceOf<FaceNetException>().With.Message.Contains("'stem' matches no parameter"));
        Assert.That(() => new EmbeddingTrainer(net, ok with { FreezePrefixes = ["conv", "head"] }).Train(data),
            Throws.InstanceOf<FaceNetException>().With.Message.Contains("Every parameter is frozen"));
        Assert.That(() => new EmbeddingTrainer(net, ok with { LearningRate = -1 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        if (!FaceNet.Net.Devices.CudaDevices.IsAvailable)
            Assert.That(() => new EmbeddingTrainer(net, ok with { Device = "cuda" }).Train(data),
                Throws.InstanceOf<FaceNetException>().With.Message.Contains("CUDA is not available"));
        Assert.That(() => new EmbeddingTrainer(net, ok with { ResumeFrom = Path.Combine(_dir, "missing.safetensors") }).Train(data),
            Throws.InstanceOf<FileNotFoundException>());
        using var single = new TensorIdentityDataset(["a", "b"], [zeros(2, 3, Size, Size), zeros(1, 3, Size, Size)]);
        Assert.That(() => new EmbeddingTrainer(net, ok).Train(single), Throws.InstanceOf<FaceNetException>().With.Message.Contains("'b' has 1 image(s)"));
    }

    private static bool SameWeights(nn.Module a, nn.Module b, double tolerance = 0)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        return sa.Keys.All(k => tolerance == 0 ? sa[k].eq(sb[k]).all().item<bool>() : sa[k].to(float64).allclose(sb[k].to(float64), rtol: 0, atol: tolerance));
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
