using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// The float parameters and buffers of <see cref="InceptionResnetV1"/> for an embedding size, by name, with
/// their torch shapes: what a weight file must supply. Read off a network built once per size (thread-safe cache).
/// </summary>
internal static class NetworkShapes
{
    private static readonly ConcurrentDictionary<int, IReadOnlyDictionary<string, long[]>> Cache = new();

    /// <summary>Name → torch shape for the network with <paramref name="embeddingSize"/> outputs.</summary>
    public static IReadOnlyDictionary<string, long[]> For(int embeddingSize) => Cache.GetOrAdd(embeddingSize, Build);

    private static IReadOnlyDictionary<string, long[]> Build(int embeddingSize)
    {
        FaceNetRuntime.EnsureInitialized();
        using var network = new InceptionResnetV1(embeddingSize);
        return Tensors(network).ToDictionary(p => p.Name, p => p.Tensor.shape, StringComparer.Ordinal);
    }

    /// <summary>The network's float32 state tensors (parameters and running statistics; not <c>num_batches_tracked</c>).</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> Tensors(InceptionResnetV1 network) =>
        network.state_dict().Where(p => p.Value.dtype == ScalarType.Float32).Select(p => (p.Key, p.Value));
}
