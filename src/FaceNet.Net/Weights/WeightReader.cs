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

/// <summary>Reads a Keras .h5, safetensors or PyTorch .pt file (told apart by magic bytes) into torch-named tensors checked against the network.</summary>
internal static class WeightReader
{
    /// <summary>Reads and checks every tensor the network needs.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="embeddingSize">The size to require, or null to take it from the file.</param>
    /// <param name="progress">Fraction done (Keras and PyTorch files).</param>
    public static LoadedWeights Read(string path, int? embeddingSize = null, Action<double>? progress = null)
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
        var (tensors, metadata) = SafetensorsFile.Read(path);
        int size = EmbeddingSizeDetector.Choose(embeddingSize, EmbeddingSizeDetector.Detect(tensors));
        WeightMismatch.Between(Model.Network.NetworkShapes.For(size).Select(p => (p.Key, p.Value)), tensors)
            .ThrowIfAny(path, $"the {size}-d Inception-ResNet-v1");
        return new LoadedWeights(tensors, format, size, metadata);
    }
}
