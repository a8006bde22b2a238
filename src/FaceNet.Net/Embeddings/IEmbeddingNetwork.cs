using FaceNet.Net.Imaging;
using TorchSharp;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// The seam between <see cref="FaceEncoder"/> and a network that turns preprocessed faces into embeddings.
/// The FaceNet network (Inception-ResNet-v1 with loaded weights) implements it; tests use a small seeded
/// network.
/// </summary>
/// <remarks>
/// Contract for implementations:
/// <list type="bullet">
/// <item><see cref="Forward"/> takes a float32 CPU tensor [N, 3, 160, 160] (already preprocessed; any strides: the
/// encoder passes a channels-last view of NHWC memory), moves it to the network's own device if that is not the
/// CPU, and returns the raw (not normalised) embeddings as a float32 CPU tensor [N, <see cref="EmbeddingSize"/>].
/// It computes no gradients and does not keep or dispose the input.</item>
/// <item><see cref="Forward"/> is safe to call from many threads at once; an implementation may serialise the calls
/// (<see cref="Model.FaceNetModel"/> runs one pass at a time per model, each pass using every core).</item>
/// <item><see cref="Fingerprint"/> identifies the weights: two networks with the same weights report the same
/// string, networks with different weights different strings. Galleries record it.</item>
/// </list>
/// </remarks>
internal interface IEmbeddingNetwork : IDisposable
{
    /// <summary>The length of one embedding (128 or 512 for the published FaceNet weights).</summary>
    int EmbeddingSize { get; }

    /// <summary>A stable identifier of the weights (for example a hash of the weight file's tensors).</summary>
    string Fingerprint { get; }

    /// <summary>The preprocessing the weights were trained with, when the weight source says so; otherwise null.</summary>
    PreprocessingMode? ExpectedPreprocessing { get; }

    /// <summary>Computes raw embeddings: float32 CPU [N, 3, 160, 160] in, float32 CPU [N, <see cref="EmbeddingSize"/>] out.</summary>
    torch.Tensor Forward(torch.Tensor nchwBatch);
}
