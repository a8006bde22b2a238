using FaceNet.Net.Model.Network;
using FaceNet.Net.Weights.Torch;

namespace FaceNet.Net.Weights;

/// <summary>
/// Takes the network's weights from a facenet-pytorch state dict (<c>InceptionResnetV1.state_dict()</c> saved by
/// <c>torch.save</c>). Its key names are already the network's parameter names, so there is no name table: the
/// classifier head (<c>logits.*</c>, any number of classes) and BatchNorm's <c>num_batches_tracked</c> counters are
/// skipped, BatchNorm gammas (<c>*.bn.weight</c>, <c>last_bn.weight</c>) are used when present and 1 otherwise
/// (as for Keras files, whose layers have none), and everything else must match the network by name and shape.
/// Stateless and thread-safe.
/// </summary>
internal static class TorchWeightImporter
{
    /// <summary>The preprocessing facenet-pytorch's weights expect: its <c>fixed_image_standardization</c>, (x − 127.5) / 128.</summary>
    public const string Preprocessing = "fixed";

    /// <summary>Whether a state-dict entry is not a network weight: the classifier head or a BatchNorm batch counter.</summary>
    public static bool IsIgnored(string name) =>
        name.StartsWith("logits.", StringComparison.Ordinal) || name == "num_batches_tracked"
        || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    /// <summary>The embedding size from <c>last_linear.weight</c> ([D, 1792]), or null when absent or odd.</summary>
    public static int? DetectEmbeddingSize(TorchCheckpoint checkpoint) =>
        checkpoint.Entries.Where(e => e.Key == EmbeddingSizeDetector.BottleneckName)
            .Select(e => EmbeddingSizeDetector.FromBottleneck(e.Value.Shape)).FirstOrDefault();

    /// <summary>Reads every weight the network needs, checked by name, shape and dtype (all problems in one exception).</summary>
    /// <param name="checkpoint">The open file.</param>
    /// <param name="embeddingSize">The size to require; null to take it from the file (128 when it cannot be told).</param>
    /// <param name="progress">Called with the fraction done, from 0 to 1.</param>
    /// <exception cref="WeightLoadException">Missing, unexpected, mis-shaped or non-float weights, or an unreadable storage.</exception>
    public static WeightSet Import(TorchCheckpoint checkpoint, int? embeddingSize, Action<double>? progress = null)
    {
        int size = EmbeddingSizeDetector.Choose(embeddingSize, DetectEmbeddingSize(checkpoint));
        var expected = NetworkShapes.For(size);
        var held = checkpoint.Entries.Where(e => !IsIgnored(e.Key)).ToList();
        var names = held.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var defaulted = expected.Where(p => IsGamma(p.Key) && !names.Contains(p.Key)).Select(p => p.Key).ToList();

        var mismatch = WeightMismatch.Between(expected.Where(p => !defaulted.Contains(p.Key)).Select(p => (p.Key, p.Value)),
            held.Select(e => (e.Key, e.Value.Shape)));
        foreach (var (name, tensor) in held)
            if (expected.ContainsKey(name) && !tensor.Storage.Type.IsFloatingPoint)
                mismatch.Misshaped.Add($"{name} is {tensor.Storage.Type.DType}, expected a floating-point tensor");
        if (!mismatch.IsEmpty)
        {
            string network = $"the {size}-d Inception-ResNet-v1" + (embeddingSize is not null ? " that was asked for" : "") + $" ({checkpoint.Layout})";
            string hint = held.Count > 0 && mismatch.Missing.Count >= expected.Count - defaulted.Count
                ? " — no name matches: this is not a facenet-pytorch InceptionResnetV1 state dict"
                : "";
            throw mismatch.ToException(checkpoint.Path, network, hint);
        }

        var weights = new WeightSet(checkpoint.Path);
        int done = 0;
        foreach (var (name, tensor) in held)
        {
            weights.Add(new TensorData(name, tensor.Shape, checkpoint.ReadValues(tensor)));
            progress?.Invoke(++done / (double)(held.Count + defaulted.Count));
        }
        foreach (var name in defaulted)
        {
            var shape = expected[name];
            weights.Add(new TensorData(name, shape, Enumerable.Repeat(1f, (int)Shapes.ElementCount(shape)).ToArray()));
            progress?.Invoke(++done / (double)(held.Count + defaulted.Count));
        }
        return weights;
    }

    /// <summary>A BatchNorm scale: facenet-pytorch names them <c>&lt;unit&gt;.bn.weight</c> and <c>last_bn.weight</c>.</summary>
    private static bool IsGamma(string name) =>
        name.EndsWith(".bn.weight", StringComparison.Ordinal) || name == "last_bn.weight";
}
