using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// A convolution with a bias whose weights were computed at load time (BatchNorm or a residual scale folded in),
/// for inference only: plain tensors, not module parameters, so they never appear in a state dict and take no
/// gradient. Owns its two tensors. Not thread-safe to dispose while in use (the owning module serialises).
/// </summary>
internal sealed class FoldedConv : IDisposable
{
    private readonly Tensor _weight;
    private readonly Tensor _bias;
    private readonly long[] _stride;
    private readonly long[] _padding;

    /// <summary>Takes ownership of <paramref name="weight"/> and <paramref name="bias"/>.</summary>
    public FoldedConv(Tensor weight, Tensor bias, long[] stride, long[] padding)
    {
        _weight = weight;
        _bias = bias;
        _stride = stride;
        _padding = padding;
    }

    /// <summary>The convolution with the folded bias.</summary>
    public Tensor Forward(Tensor input) => nn.functional.conv2d(input, _weight, _bias, _stride, _padding);

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _weight.Dispose();
        _bias.Dispose();
    }
}
