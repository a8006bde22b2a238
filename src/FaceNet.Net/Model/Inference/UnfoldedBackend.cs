using FaceNet.Net.Model.Network;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// The reference backend: the network's own modules as written (BatchNorm unfolded), NCHW, float32. Slow; kept for
/// comparisons. Does not own the network.
/// </summary>
internal sealed class UnfoldedBackend(InceptionResnetV1 network) : IInferenceBackend
{
    /// <inheritdoc />
    public string Name => "unfolded";

    /// <inheritdoc />
    public bool IsPrepared { get; private set; }

    /// <inheritdoc />
    public Tensor Prepare(Tensor sample)
    {
        IsPrepared = true;
        return Forward(sample);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => network.forward(input);

    /// <inheritdoc />
    public void Dispose() { }
}
