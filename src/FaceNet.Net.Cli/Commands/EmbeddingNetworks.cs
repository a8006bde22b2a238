using FaceNet.Net.CommandLine;
using FaceNet.Net.Imaging;
using FaceNet.Net.Training;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// Where <c>train</c> and <c>evaluate</c> get their network. A checkpoint written by <c>facenet train</c> rebuilds the
/// network it holds (its metadata names it) with its weights; anything else passed as <c>--weights</c> goes to
/// <see cref="LoadPretrained"/>, the single place where pretrained FaceNet weights are to be loaded.
/// </summary>
internal static class EmbeddingNetworks
{
    /// <summary>
    /// A network ready to train or embed, with the input side its images need and the preprocessing its weights declare
    /// (null for a fresh network, or pretrained weights that record none).
    /// </summary>
    public sealed record Loaded(nn.Module<Tensor, Tensor> Network, int InputSize, IReadOnlyDictionary<string, string> Metadata, PreprocessingMode? Preprocessing);

    /// <summary>A fresh <see cref="CompactEmbeddingNetwork"/>, initialised from <paramref name="seed"/>.</summary>
    public static Loaded Fresh(int embeddingSize, int width, int inputSize, int seed)
    {
        FaceNetRuntime.EnsureInitialized();
        torch.manual_seed(seed);
        var net = new CompactEmbeddingNetwork(embeddingSize, width, inputSize);
        return new Loaded(net, inputSize, net.ToMetadata(), null);
    }

    /// <summary>The network and weights in <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FaceNetException">The file cannot be used.</exception>
    public static Loaded FromWeights(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"Weights '{path}' is a directory: give the weights file inside it.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        if (!IsTrainingCheckpoint(path)) return LoadPretrained(path);
        IReadOnlyDictionary<string, string> metadata;
        using (var checkpoint = TrainingCheckpoint.Read(path)) metadata = checkpoint.Metadata;
        var (net, inputSize) = TrainableNetworks.FromMetadata(metadata);
        EmbeddingTrainer.LoadModelWeights(net, path);
        return new Loaded(net, inputSize, ModelMetadata(metadata), TrainableNetworks.PreprocessingOf(metadata));
    }

    /// <summary>An embedding function over image files for <c>evaluate</c>: L2-normalised embeddings, in order.</summary>
    public interface IEmbedder : IDisposable
    {
        /// <summary>Embeds the image files.</summary>
        float[][] Embed(IReadOnlyList<string> paths);
    }

    /// <summary>
    /// The embedder for <c>--weights</c>: a 'facenet train' checkpoint, else <see cref="OpenPretrainedEmbedder"/>. Both
    /// preprocess with <paramref name="preprocessing"/> when given, else with what the weights declare, else prewhiten.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IEmbedder OpenEmbedder(string path, string? device, PreprocessingMode? preprocessing)
    {
        if (Directory.Exists(path)) throw new UsageException($"Weights '{path}' is a directory: give the weights file inside it.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file '{path}' does not exist.", path);
        if (!IsTrainingCheckpoint(path)) return OpenPretrainedEmbedder(path, device, preprocessing);
        return new CheckpointEmbedderAdapter(CheckpointEmbedder.Load(path, device, preprocessing));
    }

    /// <summary>
    /// An embedder for pretrained FaceNet weights (Keras <c>.h5</c> or converted <c>.safetensors</c>): each image (an
    /// aligned face) is decoded and encoded with Inception-ResNet-v1, L2-normalised.
    /// </summary>
    private static IEmbedder OpenPretrainedEmbedder(string path, string? device, PreprocessingMode? preprocessing) =>
        new FaceEncoderEmbedder(Embeddings.FaceEncoder.FromWeights(path, new Embeddings.FaceEncoderOptions { Device = device, Preprocessing = preprocessing }));

    private sealed class FaceEncoderEmbedder(Embeddings.FaceEncoder encoder) : IEmbedder
    {
        public float[][] Embed(IReadOnlyList<string> paths) => encoder.EncodeBatch(paths).Select(e => e.ToArray()).ToArray();

        public void Dispose() => encoder.Dispose();
    }

    private sealed class CheckpointEmbedderAdapter(CheckpointEmbedder inner) : IEmbedder
    {
        public float[][] Embed(IReadOnlyList<string> paths) => inner.Embed(paths);

        public void Dispose() => inner.Dispose();
    }

    /// <summary>
    /// Pretrained FaceNet weights (Keras <c>.h5</c> or converted <c>.safetensors</c>) as a trainable Inception-ResNet-v1
    /// (160x160 input) whose checkpoints record the architecture, so <c>evaluate</c> and <c>--resume</c> rebuild it.
    /// </summary>
    private static Loaded LoadPretrained(string path)
    {
        var (network, embeddingSize) = TrainableNetworks.InceptionResnetV1FromWeights(path);
        try
        {
            var declared = FaceNetWeights.Inspect(path).Metadata.TryGetValue(SafetensorsMetadata.Preprocessing, out var name)
                && PreprocessingModeNames.TryParse(name, out var mode) ? mode : (PreprocessingMode?)null;
            return new Loaded(network, Model.FaceNetModel.InputSize, TrainableNetworks.InceptionResnetV1Metadata(embeddingSize), declared);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The architecture keys of a checkpoint's metadata (what <see cref="TrainableNetworks.FromMetadata"/> reads).</summary>
    private static IReadOnlyDictionary<string, string> ModelMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.Where(p => p.Key is CompactEmbeddingNetwork.ModelKey or "embeddingSize" or "width" or "inputSize")
            .ToDictionary(p => p.Key, p => p.Value);

    private static bool IsTrainingCheckpoint(string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            using var checkpoint = TrainingCheckpoint.Read(path);
            return checkpoint.Metadata.TryGetValue(TrainingCheckpoint.FormatKey, out var tag) && tag == TrainingCheckpoint.FormatTag;
        }
        catch (FaceNetException)
        {
            return false;
        }
    }
}
