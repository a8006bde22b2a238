using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// Embeds image files with the network (<see cref="TrainableNetworks"/>) restored from a trainer checkpoint: decode, resize,
/// (x − 127.5) / 128, forward in evaluation mode, L2-normalise. Owns the network: dispose it. Not thread-safe.
/// </summary>
public sealed class CheckpointEmbedder : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly Device _device;

    private CheckpointEmbedder(nn.Module<Tensor, Tensor> network, int inputSize, Device device)
    {
        _network = network;
        InputSize = inputSize;
        _device = device;
    }

    /// <summary>The network's input side.</summary>
    public int InputSize { get; }

    /// <summary>Loads the network and its weights from a checkpoint.</summary>
    /// <param name="checkpointPath">A checkpoint written by <see cref="EmbeddingTrainer"/> (metadata naming its network).</param>
    /// <param name="device">"cpu" (default), "cuda", "cuda:N" or "auto".</param>
    /// <exception cref="FaceNetException">The checkpoint is invalid or holds another network.</exception>
    public static CheckpointEmbedder Load(string checkpointPath, string? device = null)
    {
        FaceNetRuntime.EnsureInitialized();
        nn.Module<Tensor, Tensor> network;
        int inputSize;
        using (var checkpoint = TrainingCheckpoint.Read(checkpointPath))
            (network, inputSize) = TrainableNetworks.FromMetadata(checkpoint.Metadata);
        try
        {
            EmbeddingTrainer.LoadModelWeights(network, checkpointPath);
            var d = TrainingDevice.Resolve(device);
            network.to(d);
            network.eval();
            return new CheckpointEmbedder(network, inputSize, d);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>L2-normalised embeddings of the image files, in order, computed in batches of <paramref name="batchSize"/>.</summary>
    /// <exception cref="FileNotFoundException">An image is missing.</exception>
    /// <exception cref="FaceNetException">An image cannot be decoded.</exception>
    public float[][] Embed(IReadOnlyList<string> paths, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[paths.Count][];
        using var _ = no_grad();
        for (int start = 0; start < paths.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batchSize, paths.Count - start);
            var batch = stack(Enumerable.Range(start, count).Select(i => ImageFolderDataset.Load(paths[i], InputSize))).to(_device);
            var embeddings = nn.functional.normalize(_network.forward(batch), p: 2, dim: 1).cpu();
            int dim = (int)embeddings.shape[1];
            var flat = embeddings.data<float>().ToArray();
            for (int i = 0; i < count; i++) result[start + i] = flat.AsSpan(i * dim, dim).ToArray();
        }
        return result;
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => _network.Dispose();
}
