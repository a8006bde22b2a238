using FaceNet.Net.Model.Network;

namespace FaceNet.Net.Weights;

/// <summary>
/// Applies <see cref="KerasWeightMap"/> to a Keras file: finds every mapped weight by layer name and last
/// name component, checks its shape, reorders it into torch layout. All problems (missing, unexpected,
/// mis-shaped) are collected and thrown together as one <see cref="WeightLoadException"/>.
/// </summary>
internal static class KerasWeightImporter
{
    /// <summary>The embedding size from the bottleneck's Keras kernel (stored (1792, D)), or null when absent or odd.</summary>
    public static int? DetectEmbeddingSize(KerasH5Archive archive)
    {
        var rule = KerasWeightMap.Rules.Single(r => r.TorchName == EmbeddingSizeDetector.BottleneckName);
        var kernel = Find(archive, rule.KerasLayer, rule.KerasWeight, out _);
        // A Keras dense kernel is (in, out), the torch weight (out, in).
        return kernel?.Shape is [var inputs, var outputs] ? EmbeddingSizeDetector.FromBottleneck([outputs, inputs]) : null;
    }

    /// <summary>Reads all weights the network needs, as torch tensors by parameter name.</summary>
    /// <param name="archive">The open file.</param>
    /// <param name="embeddingSize">The size to require; null to take it from the file (128 when it cannot be told).</param>
    /// <param name="progress">Called with the fraction done, from 0 to 1.</param>
    public static WeightSet Import(KerasH5Archive archive, int? embeddingSize, Action<double>? progress = null)
    {
        int size = EmbeddingSizeDetector.Choose(embeddingSize, DetectEmbeddingSize(archive));
        var expected = NetworkShapes.For(size);
        var mismatch = new WeightMismatch();
        var used = new HashSet<KerasWeightEntry>(ReferenceEqualityComparer.Instance);
        var rules = KerasWeightMap.Rules;
        // Pass 1: find every weight and check its shape, reading nothing, so a bad file fails fast.
        var found = new List<(KerasWeightRule Rule, long[] TorchShape, KerasWeightEntry? Entry)>(rules.Count);
        foreach (var rule in rules)
        {
            var torchShape = expected[rule.TorchName];
            var entry = Find(archive, rule.KerasLayer, rule.KerasWeight, out var duplicates);
            if (entry is null)
            {
                if (!rule.DefaultsToOne) mismatch.Missing.Add(rule.KerasName);
                found.Add((rule, torchShape, null));
                continue;
            }
            used.Add(entry);
            foreach (var d in duplicates) used.Add(d); // reported as ambiguous, not as unexpected
            if (duplicates.Count > 0)
            {
                mismatch.Misshaped.Add($"{rule.KerasName} (found {duplicates.Count + 1} times)");
                continue;
            }
            var kerasShape = KerasWeightMap.KerasShape(rule.Transform, torchShape);
            if (!entry.Shape.SequenceEqual(kerasShape)) mismatch.AddMisshaped(rule.KerasName, entry.Shape, kerasShape);
            found.Add((rule, torchShape, entry));
        }
        mismatch.Unexpected.AddRange(archive.Weights.Where(w => !used.Contains(w)).Select(w => w.Name));
        if (!mismatch.IsEmpty) throw Mismatch(archive, size, embeddingSize is not null, mismatch);

        // Pass 2: read and reorder.
        var weights = new WeightSet(archive.Path);
        for (int i = 0; i < found.Count; i++)
        {
            var (rule, torchShape, entry) = found[i];
            float[] values = entry is null
                ? Enumerable.Repeat(1f, (int)Shapes.ElementCount(torchShape)).ToArray()
                : KerasWeightMap.ToTorch(rule.Transform, entry.Shape, archive.Read(entry));
            weights.Add(new TensorData(rule.TorchName, torchShape, values));
            progress?.Invoke((i + 1) / (double)found.Count);
        }
        return weights;
    }

    /// <summary>The weight <paramref name="kind"/> of Keras layer <paramref name="layer"/>: by the name's layer component, else by the layer group.</summary>
    private static KerasWeightEntry? Find(KerasH5Archive archive, string layer, string kind, out List<KerasWeightEntry> duplicates)
    {
        var matches = archive.Weights.Where(w => w.Kind == kind && w.Layer == layer).ToList();
        if (matches.Count == 0) matches = archive.Weights.Where(w => w.Kind == kind && w.Group == layer).ToList();
        duplicates = matches.Skip(1).ToList();
        return matches.FirstOrDefault();
    }

    private static WeightLoadException Mismatch(KerasH5Archive archive, int size, bool sizeRequested, WeightMismatch mismatch)
    {
        string network = $"the {size}-d Inception-ResNet-v1" + (sizeRequested ? " that was asked for" : "") + $" ({archive.Layout})";
        string hint = archive.Weights.Count > 0 && mismatch.Missing.Count == KerasWeightMap.Rules.Count(r => !r.DefaultsToOne)
            ? " — no layer name matches: this is not a FaceNet Inception-ResNet-v1 weight file"
            : "";
        return mismatch.ToException(archive.Path, network, hint);
    }
}
