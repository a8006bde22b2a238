using FaceNet.Net.Devices;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// Embeds image files with the network (<see cref="TrainableNetworks"/>) restored from a trainer checkpoint: decode,
/// resize and preprocess with the encoder's pipeline in the checkpoint's own <see cref="Preprocessing"/>, forward in
/// evaluation mode, L2-normalise. Owns the network: dispose it. Not thread-safe.
/// </summary>
public sealed class CheckpointEmbedder : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly Device _device;

    private CheckpointEmbedder(nn.Module<Tensor, Tensor> network, int inputSize, Device device, PreprocessingMode preprocessing)
    {
        _network = network;
        InputSize = inputSize;
        _device = device;
        Preprocessing = preprocessing;
    }

    /// <summary>The network's input side.</summary>
    public int InputSize { get; }

    /// <summary>
    /// The preprocessing applied to the images: the one asked for in <see cref="Load"/>, else the one the checkpoint
    /// records (<see cref="TrainableNetworks.PreprocessingOf"/>).
    /// </summary>
    public PreprocessingMode Preprocessing { get; }

    /// <summary>Loads the network and its weights from a checkpoint.</summary>
    /// <param name="checkpointPath">A checkpoint written by <see cref="EmbeddingTrainer"/> (metadata naming its network).</param>
    /// <param name="device">"cpu" (also null, the default), "cuda", "cuda:N" or "auto".</param>
    /// <param name="preprocessing">Overrides the preprocessing the checkpoint records; null keeps it.</param>
    /// <exception cref="FaceNetException">The checkpoint is invalid or holds another network.</exception>
    /// <exception cref="DeviceNotAvailableException">The device is not valid or not available.</exception>
    public static CheckpointEmbedder Load(string checkpointPath, string? device = null, PreprocessingMode? preprocessing = null)
    {
        FaceNetRuntime.EnsureInitialized();
        var d = DeviceResolver.Resolve(device);
        nn.Module<Tensor, Tensor> network;
        int inputSize;
        PreprocessingMode mode;
        using (var checkpoint = TrainingCheckpoint.Read(checkpointPath))
        {
            mode = PreprocessingRule.Choose(preprocessing, TrainableNetworks.PreprocessingOf(checkpoint.Metadata));
            (network, inputSize) = TrainableNetworks.FromMetadata(checkpoint.Metadata);
        }
        try
        {
            EmbeddingTrainer.LoadModelWeights(network, checkpointPath);
            network.to(d);
            network.eval();
            return new CheckpointEmbedder(network, inputSize, d, mode);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>L2-normalised embeddings of the image files, in order, computed in batches of <paramref name="batchSize"/>.</summary>
    /// <exception cref="ImageLoadException">An image is missing or cannot be decoded.</exception>
    public float[][] Embed(IReadOnlyList<string> paths, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[paths.Count][];
        using var _ = no_grad();
        for (int start = 0; start < paths.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, paths.Count - start);
            var images = new Image<Rgb24>[count];
            try
            {
                for (int i = 0; i < count; i++) images[i] = ImageLoader.Load(paths[start + i]);
                using var scope = NewDisposeScope();
                var batch = FaceBatch.ToTensor(images, Preprocessing, InputSize).contiguous().to(_device);
                var embeddings = nn.functional.normalize(_network.forward(batch), p: 2, dim: 1).cpu();
                int dim = (int)embeddings.shape[1];
                var flat = embeddings.data<float>().ToArray();
                for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * dim, dim).ToArray();
            }
            finally
            {
                foreach (var image in images) image?.Dispose();
            }
        }
        return result;
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => _network.Dispose();
}
