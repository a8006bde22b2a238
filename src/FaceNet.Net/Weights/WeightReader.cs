namespace FaceNet.Net.Weights;

/// <summary>What a weight file held, in torch names and layouts, whatever its format.</summary>
/// <param name="Weights">The tensors by torch parameter name.</param>
/// <param name="Format">The file's format.</param>
/// <param name="EmbeddingSize">D, from the bottleneck's shape.</param>
/// <param name="Metadata">The safetensors metadata (empty for Keras files).</param>
internal sealed record LoadedWeights(WeightSet Weights, WeightFileFormat Format, int EmbeddingSize, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The preprocessing the weights expect, when the file says (<c>fixed</c>, <c>unit</c>, <c>prewhiten</c>).</summary>
    public string? ExpectedPreprocessing =>
        Metadata.TryGetValue(SafetensorsMetadata.Preprocessing, out var p) && SafetensorsMetadata.PreprocessingNames.Contains(p) ? p : null;
}

/// <summary>Reads a Keras .h5 or safetensors file (told apart by magic bytes) into torch-named tensors checked against the network.</summary>
internal static class WeightReader
{
    /// <summary>Reads and checks every tensor the network needs.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="embeddingSize">The size to require, or null to take it from the file.</param>
    /// <param name="progress">Fraction done (Keras files only).</param>
    public static LoadedWeights Read(string path, int? embeddingSize = null, Action<double>? progress = null)
    {
        var format = WeightFileDetector.Detect(path);
        if (format == WeightFileFormat.KerasH5)
        {
            using var archive = KerasH5Archive.Open(path);
            var weights = KerasWeightImporter.Import(archive, embeddingSize, progress);
            weights.TryGet("last_linear.weight", out var bottleneck);
            return new LoadedWeights(weights, format, (int)bottleneck.Shape[0], new Dictionary<string, string>());
        }
        var (tensors, metadata) = SafetensorsFile.Read(path);
        int size = CheckAgainstNetwork(path, tensors, embeddingSize);
        return new LoadedWeights(tensors, format, size, metadata);
    }

    /// <summary>Checks a torch-named tensor set against the network; returns D.</summary>
    private static int CheckAgainstNetwork(string path, WeightSet tensors, int? embeddingSize)
    {
        int size = embeddingSize
            ?? (tensors.TryGet("last_linear.weight", out var b) && b.Shape is [> 0 and <= 65536, Model.Network.InceptionResnetV1.FeatureChannels] ? (int)b.Shape[0] : 128);
        var expected = Model.Network.NetworkShapes.For(size);
        var missing = expected.Keys.Where(k => !tensors.TryGet(k, out _)).ToList();
        var unexpected = tensors.Tensors.Where(t => !expected.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        var misshaped = tensors.Tensors.Where(t => expected.TryGetValue(t.Name, out var s) && !s.SequenceEqual(t.Shape))
            .Select(t => $"{t.Name} {t.ShapeText}, expected {Shapes.Format(expected[t.Name])}").ToList();
        if (missing.Count + unexpected.Count + misshaped.Count == 0) return size;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing ({List(missing)})");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected ({List(unexpected)})");
        if (misshaped.Count > 0) parts.Add($"{misshaped.Count} mis-shaped ({List(misshaped)})");
        throw new WeightLoadException($"'{path}': its tensors do not fit the {size}-d Inception-ResNet-v1: {string.Join("; ", parts)}",
            missing, unexpected, misshaped);
    }

    private static string List(List<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $", ... and {names.Count - 8} more";
}
