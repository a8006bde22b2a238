using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// The one seam between a <see cref="FaceNetModel"/> and how its forward pass is computed. Made by
/// <see cref="InferenceBackends.Create"/> from the network and the resolved <see cref="InferenceSettings"/>.
/// Not thread-safe: the model calls it under its lock.
/// </summary>
internal interface IInferenceBackend : IDisposable
{
    /// <summary>What runs now: <c>onednn-compiled</c>, <c>onednn</c>, <c>eager</c> or <c>unfolded</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Prepares for inputs shaped like <paramref name="sample"/> (weights laid out for that batch size, the compiled
    /// body built and checked) and returns the sample's embeddings. Called once before the first <see cref="Forward"/>;
    /// later calls only compute.
    /// </summary>
    Tensor Prepare(Tensor sample);

    /// <summary>True once <see cref="Prepare"/> ran.</summary>
    bool IsPrepared { get; }

    /// <summary>The raw embeddings (N x D, the network's type and device) of a batch already on the network's device and in its type.</summary>
    Tensor Forward(Tensor input);
}
