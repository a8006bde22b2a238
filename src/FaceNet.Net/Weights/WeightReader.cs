namespace FaceNet.Net.Weights;

/// <summary>What a weight file held, in torch names and layouts, whatever its format.</summary>
/// <param name="Weights">The tensors by torch parameter name.</param>
/// <param name="Format">The file's format.</param>
/// <param name="EmbeddingSize">D, from the bottleneck's shape.</param>
/// <param name="Metadata">The safetensors metadata (empty for Keras files).</param>
internal sealed record LoadedWeights(WeightSet Weights, WeightFileFormat Format, int EmbeddingSize, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// The preprocessing the weights expect, when the file says (<c>fixed</c>, <c>unit</c>, <c>prewhiten</c>): a converted
    /// file's metadata, or <c>fixed</c> for a facenet-pytorch <c>.pt</c> file (its <c>fixed_image_standardization</c>).
    /// </summary>
    public string? ExpectedPreprocessing =>
        Metadata.TryGetValue(SafetensorsMetadata.Preprocessing, out var p) && SafetensorsMetadata.PreprocessingNames.Contains(p) ? p
        : Format == WeightFileFormat.PyTorch ? TorchWeightImporter.Preprocessing : null;
}

/// <summary>
/// Reads a Keras .h5, safetensors or PyTorch .pt file (told apart by magic bytes) into torch-named tensors checked
/// against the network. Only the tensors the network needs are read: names and shapes are checked from the file's
/// index first (a safetensors header, the h5 datasets, the pickle's tensor references), and tensors the network has no
/// place for are never allocated (safetensors: skipped; h5 and .pt: the file is refused before any data is read), so
/// memory stays bounded by the network's size whatever the file declares. Then every value is checked
/// (<see cref="WeightSanity"/>) and a converted file's recorded fingerprint is verified. Stateless and thread-safe.
/// </summary>
internal static class WeightReader
{
    /// <summary>Reads and checks every tensor the network needs.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="embeddingSize">The size to require, or null to take it from the file.</param>
    /// <param name="progress">Fraction done (Keras and PyTorch files).</param>
    /// <exception cref="WeightLoadException">
    /// The file is unreadable, does not fit the network, holds a non-finite value or a negative BatchNorm variance, or
    /// its tensors do not match its recorded <see cref="SafetensorsMetadata.Fingerprint"/>.
    /// </exception>
    public static LoadedWeights Read(string path, int? embeddingSize = null, Action<double>? progress = null)
    {
        var loaded = ReadUnchecked(path, embeddingSize, progress);
        VerifyFingerprint(loaded, path);
        WeightSanity.Check(loaded.Weights, path);
        return loaded;
    }

    private static LoadedWeights ReadUnchecked(string path, int? embeddingSize, Action<double>? progress)
    {
        var format = WeightFileDetector.Detect(path);
        if (format == WeightFileFormat.KerasH5)
        {
            using var archive = KerasH5Archive.Open(path);
            var weights = KerasWeightImporter.Import(archive, embeddingSize, progress);
            int imported = EmbeddingSizeDetector.Choose(embeddingSize, EmbeddingSizeDetector.Detect(weights));
            return new LoadedWeights(weights, format, imported, new Dictionary<string, string>());
        }
        if (format == WeightFileFormat.PyTorch)
        {
            using var checkpoint = Torch.TorchCheckpoint.Open(path);
            var weights = TorchWeightImporter.Import(checkpoint, embeddingSize, progress);
            int imported = EmbeddingSizeDetector.Choose(embeddingSize, EmbeddingSizeDetector.Detect(weights));
            return new LoadedWeights(weights, format, imported, new Dictionary<string, string>());
        }
        using var reader = SafetensorsReader.Open(path);
        var bottleneck = reader.Entries.FirstOrDefault(e => e.Name == EmbeddingSizeDetector.BottleneckName);
        int size = EmbeddingSizeDetector.Choose(embeddingSize, bottleneck is null ? null : EmbeddingSizeDetector.FromBottleneck(bottleneck.Shape));
        var expected = Model.Network.NetworkShapes.For(size);
        // Tensors the network has no place for are skipped unread: a header may list gigabytes of them.
        var needed = reader.Entries.Where(e => expected.ContainsKey(e.Name)).ToList();
        foreach (var e in needed)
            if (e.DType != SafetensorsFile.Float32) throw SafetensorsReader.Bad(path, $"tensor '{e.Name}' has dtype {e.DType}, expected F32");
        WeightMismatch.Between(expected.Select(p => (p.Key, p.Value)), needed.Select(e => (e.Name, e.Shape)))
            .ThrowIfAny(path, $"the {size}-d Inception-ResNet-v1");
        var tensors = SafetensorsFile.ReadFloat32(reader, needed);
        return new LoadedWeights(tensors, format, size, reader.Metadata);
    }

    /// <summary>Refuses a file whose tensors differ from the fingerprint its converter recorded (files without one pass).</summary>
    private static void VerifyFingerprint(LoadedWeights loaded, string path)
    {
        if (!loaded.Metadata.TryGetValue(SafetensorsMetadata.Fingerprint, out var recorded)) return;
        var actual = loaded.Weights.Fingerprint();
        if (!string.Equals(actual, recorded.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new WeightLoadException(
                $"'{path}': its tensor data does not match its recorded fingerprint ({SafetensorsMetadata.Fingerprint} {Abbreviate(recorded)}, the data gives {Abbreviate(actual)}): the file is corrupt or was modified; convert the original weights again");
    }

    private static string Abbreviate(string hex) => hex.Length > 16 ? hex[..16] + "..." : hex;
}
