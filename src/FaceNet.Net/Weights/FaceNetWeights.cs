using System.Security.Cryptography;

namespace FaceNet.Net.Weights;

/// <summary>
/// Inspects, converts and compares FaceNet weight files (the operations behind <c>facenet-convert</c>).
/// Stateless and thread-safe; each call opens and closes its files.
/// </summary>
public static class FaceNetWeights
{
    /// <summary>
    /// Describes a Keras <c>.h5</c>, <c>.safetensors</c> or PyTorch <c>.pt</c> weight file without checking it against
    /// the network (for a <c>.pt</c> file, the counts include the classifier head and BatchNorm counters it holds).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not a readable weight file.</exception>
    public static WeightFileInfo Inspect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = WeightFileDetector.Detect(path);
        if (format == WeightFileFormat.KerasH5)
        {
            using var archive = KerasH5Archive.Open(path);
            return new WeightFileInfo(path, format, archive.Layout, archive.KerasVersion, archive.Backend,
                archive.LayerNames.Count, archive.Weights.Select(w => w.Group).Distinct().Count(), archive.Weights.Count,
                archive.Weights.Sum(w => Math.Max(0, Shapes.ElementCount(w.Shape))), KerasWeightImporter.DetectEmbeddingSize(archive),
                new Dictionary<string, string>());
        }
        if (format == WeightFileFormat.PyTorch)
        {
            using var checkpoint = Torch.TorchCheckpoint.Open(path);
            return new WeightFileInfo(path, format, checkpoint.Layout, null, null, 0, 0, checkpoint.Entries.Count,
                checkpoint.Entries.Sum(e => e.Value.ElementCount), TorchWeightImporter.DetectEmbeddingSize(checkpoint),
                new Dictionary<string, string>());
        }
        // From the header alone: no tensor data is read, however much the header lists.
        using var reader = SafetensorsReader.Open(path);
        var bottleneck = reader.Entries.FirstOrDefault(e => e.Name == EmbeddingSizeDetector.BottleneckName);
        return new WeightFileInfo(path, format, "safetensors", null, null, 0, 0, reader.Entries.Count,
            reader.Entries.Sum(e => Math.Max(0, Shapes.ElementCount(e.Shape))),
            bottleneck is null ? null : EmbeddingSizeDetector.FromBottleneck(bottleneck.Shape), reader.Metadata);
    }

    /// <summary>
    /// Converts Keras <c>.h5</c> or facenet-pytorch <c>.pt</c> weights to safetensors with torch parameter names, after
    /// checking them against the network. Writes a temporary file beside <paramref name="outputPath"/> and renames it at
    /// the end, so no partial output is ever left behind (the temporary file is deleted on failure).
    /// </summary>
    /// <param name="sourcePath">The Keras or PyTorch weights.</param>
    /// <param name="outputPath">The safetensors file to write (replaced if it exists).</param>
    /// <param name="preprocessing">
    /// The preprocessing the weights expect, recorded in the metadata: <c>fixed</c>, <c>unit</c> or <c>prewhiten</c>. When
    /// null, a <c>.pt</c> file records <c>fixed</c> (facenet-pytorch's standardisation) and a Keras file records nothing.
    /// </param>
    /// <param name="progress">Receives the fraction done, from 0 to 1.</param>
    /// <returns>The fingerprint of the converted tensors.</returns>
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="WeightLoadException">The input is not Keras or PyTorch weights of the network.</exception>
    /// <exception cref="ArgumentException">An unknown preprocessing name.</exception>
    public static string ConvertToSafetensors(string sourcePath, string outputPath, string? preprocessing = null, IProgress<double>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (preprocessing is not null && !SafetensorsMetadata.PreprocessingNames.Contains(preprocessing))
            throw new ArgumentException($"unknown preprocessing '{preprocessing}': use fixed, unit or prewhiten", nameof(preprocessing));
        if (WeightFileDetector.Detect(sourcePath) == WeightFileFormat.Safetensors)
            throw new WeightLoadException($"'{sourcePath}' is safetensors, not a Keras .h5 or PyTorch .pt file: there is nothing to convert");

        var loaded = WeightReader.Read(sourcePath, null, p => progress?.Report(p * 0.8));
        preprocessing ??= loaded.ExpectedPreprocessing;
        var fingerprint = loaded.Weights.Fingerprint();
        var metadata = new Dictionary<string, string>
        {
            [SafetensorsMetadata.Format] = "pt",
            [SafetensorsMetadata.Network] = "inception_resnet_v1",
            [SafetensorsMetadata.EmbeddingSize] = loaded.EmbeddingSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SafetensorsMetadata.SourceFile] = Path.GetFileName(sourcePath),
            [SafetensorsMetadata.SourceSha256] = Sha256(sourcePath),
            [SafetensorsMetadata.Fingerprint] = fingerprint,
            [SafetensorsMetadata.Converter] = "FaceNet.Net " + FaceNetRuntime.Version,
        };
        if (preprocessing is not null) metadata[SafetensorsMetadata.Preprocessing] = preprocessing;

        SafetensorsFile.Write(outputPath, loaded.Weights, metadata, p => progress?.Report(0.8 + 0.2 * p));
        progress?.Report(1);
        return fingerprint;
    }

    /// <summary>
    /// Compares the tensors two weight files give the network (each file in either format, both checked against
    /// the network first): identical means the same names, shapes and float32 bits.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="WeightLoadException">A file is not readable weights of the network.</exception>
    public static WeightComparison Compare(string pathA, string pathB)
    {
        ArgumentException.ThrowIfNullOrEmpty(pathA);
        ArgumentException.ThrowIfNullOrEmpty(pathB);
        var a = WeightReader.Read(pathA).Weights;
        var b = WeightReader.Read(pathB).Weights;
        var differences = new List<string>();
        foreach (var ta in a.Tensors)
        {
            if (!b.TryGet(ta.Name, out var tb)) { differences.Add($"{ta.Name}: only in the first file"); continue; }
            if (!ta.Shape.SequenceEqual(tb.Shape)) { differences.Add($"{ta.Name}: shape {ta.ShapeText} vs {tb.ShapeText}"); continue; }
            int firstDiff = -1, count = 0;
            float maxAbs = 0;
            for (int i = 0; i < ta.Values.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(ta.Values[i]) == BitConverter.SingleToInt32Bits(tb.Values[i])) continue;
                if (firstDiff < 0) firstDiff = i;
                count++;
                maxAbs = Math.Max(maxAbs, Math.Abs(ta.Values[i] - tb.Values[i]));
            }
            if (count > 0) differences.Add($"{ta.Name}: {count} values differ (first at {firstDiff}, max |difference| {maxAbs:G4})");
        }
        foreach (var tb in b.Tensors)
            if (!a.TryGet(tb.Name, out _)) differences.Add($"{tb.Name}: only in the second file");
        return new WeightComparison(differences.Count == 0, a.Count, differences, a.Fingerprint(), b.Fingerprint());
    }

    /// <summary>
    /// Writes seeded random weights of the whole network to a <c>.safetensors</c> file that loads like converted
    /// weights (<see cref="Model.FaceNetModel.Load"/>, <see cref="Embeddings.FaceEncoder.FromWeights(string, Embeddings.FaceEncoderOptions?)"/>):
    /// for benchmarks, demos and tests that need the real network's size and speed but not its accuracy. The embeddings
    /// are finite but say nothing about faces. Convolution and linear weights are uniform in ±1/√fan-in (PyTorch's
    /// default initialisation), biases likewise; BatchNorm scales and running variances are uniform in [0.5, 1.5),
    /// shifts and running means in ±0.1, so folding BatchNorm into the convolutions changes every value. The values
    /// come from <see cref="Random"/> seeded with <paramref name="seed"/> (not TorchSharp's generator, which is left
    /// untouched): the same seed and size give the same file. Written to a temporary file beside
    /// <paramref name="path"/> and renamed at the end, so no partial file is ever left behind.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists; its folder is created if needed).</param>
    /// <param name="embeddingSize">The embedding size D (128 or 512 like the published weights, or any positive size).</param>
    /// <param name="seed">The seed of the values.</param>
    /// <param name="preprocessing">The preprocessing the file declares (<see cref="SafetensorsMetadata.Preprocessing"/>), which encoders then use.</param>
    /// <returns>The fingerprint of the weights, as <see cref="Model.FaceNetModel.Fingerprint"/> reports it after loading the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="embeddingSize"/> is not positive, or <paramref name="preprocessing"/> is not a defined mode.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <remarks>Thread-safe; calls writing different paths may run at once.</remarks>
    public static string WriteSynthetic(string path, int embeddingSize, int seed, Imaging.PreprocessingMode preprocessing = Imaging.PreprocessingMode.Fixed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        if (!Enum.IsDefined(preprocessing))
            throw new ArgumentOutOfRangeException(nameof(preprocessing), preprocessing, "Unknown preprocessing mode: use Fixed, Unit or Prewhiten.");
        var weights = SyntheticWeights.Create(embeddingSize, seed);
        var fingerprint = weights.Fingerprint();
        var metadata = new Dictionary<string, string>
        {
            [SafetensorsMetadata.Format] = "pt",
            [SafetensorsMetadata.Network] = "inception_resnet_v1",
            [SafetensorsMetadata.EmbeddingSize] = embeddingSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [SafetensorsMetadata.Preprocessing] = Imaging.PreprocessingModeNames.ToName(preprocessing),
            [SafetensorsMetadata.Fingerprint] = fingerprint,
            [SafetensorsMetadata.Converter] = "FaceNet.Net " + FaceNetRuntime.Version + " (synthetic, seed " + seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
        };
        SafetensorsFile.Write(path, weights, metadata);
        return fingerprint;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
