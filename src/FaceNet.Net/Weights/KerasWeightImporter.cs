using FaceNet.Net.Model.Network;

namespace FaceNet.Net.Weights;

/// <summary>
/// Applies <see cref="KerasWeightMap"/> to a Keras file: finds every mapped weight by layer name and last
/// name component, checks its shape, reorders it into torch layout. All problems (missing, unexpected,
/// mis-shaped) are collected and thrown together as one <see cref="WeightLoadException"/>.
/// </summary>
internal static class KerasWeightImporter
{
    /// <summary>The embedding size from the <c>Bottleneck</c> kernel's shape (1792, D), or null when absent or odd.</summary>
    public static int? DetectEmbeddingSize(KerasH5Archive archive)
    {
        var kernel = Find(archive, "Bottleneck", "kernel", out _);
        return kernel is { Shape: [InceptionResnetV1.FeatureChannels, > 0 and <= 65536] } ? (int)kernel.Shape[1] : null;
    }

    /// <summary>Reads all weights the network needs, as torch tensors by parameter name.</summary>
    /// <param name="archive">The open file.</param>
    /// <param name="embeddingSize">The size to require; null to take it from the file (128 when it cannot be told).</param>
    /// <param name="progress">Called with the fraction done, from 0 to 1.</param>
    public static WeightSet Import(KerasH5Archive archive, int? embeddingSize, Action<double>? progress = null)
    {
        int size = embeddingSize ?? DetectEmbeddingSize(archive) ?? 128;
        var expected = NetworkShapes.For(size);
        var missing = new List<string>();
        var misshaped = new List<string>();
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
                if (!rule.DefaultsToOne) missing.Add(rule.KerasName);
                found.Add((rule, torchShape, null));
                continue;
            }
            used.Add(entry);
            foreach (var d in duplicates) used.Add(d); // reported as ambiguous, not as unexpected
            if (duplicates.Count > 0)
            {
                misshaped.Add($"{rule.KerasName} (found {duplicates.Count + 1} times)");
                continue;
            }
            var kerasShape = KerasWeightMap.KerasShape(rule.Transform, torchShape);
            if (!entry.Shape.SequenceEqual(kerasShape))
                misshaped.Add($"{rule.KerasName} {Shapes.Format(entry.Shape)}, expected {Shapes.Format(kerasShape)}");
            found.Add((rule, torchShape, entry));
        }
        var unexpected = archive.Weights.Where(w => !used.Contains(w)).Select(w => w.Name).ToList();
        if (missing.Count > 0 || misshaped.Count > 0 || unexpected.Count > 0)
            throw Mismatch(archive, size, embeddingSize is not null, missing, unexpected, misshaped);

        // Pass 2: read and reorder.
        var weights = new WeightSet();
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

    private static WeightLoadException Mismatch(KerasH5Archive archive, int size, bool sizeRequested,
        List<string> missing, List<string> unexpected, List<string> misshaped)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing ({List(missing)})");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected ({List(unexpected)})");
        if (misshaped.Count > 0) parts.Add($"{misshaped.Count} mis-shaped ({List(misshaped)})");
        string network = $"the {size}-d Inception-ResNet-v1" + (sizeRequested ? " that was asked for" : "");
        string hint = archive.Weights.Count > 0 && missing.Count == KerasWeightMap.Rules.Count(r => !r.DefaultsToOne)
            ? " — no layer name matches: this is not a FaceNet Inception-ResNet-v1 weight file"
            : "";
        return new WeightLoadException(
            $"'{archive.Path}': its weights do not fit {network} ({archive.Layout}): {string.Join("; ", parts)}{hint}",
            missing, unexpected, misshaped);
    }

    private static string List(List<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $", ... and {names.Count - 8} more";
}
