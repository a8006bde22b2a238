using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// The oneDNN backend's convolution: <see cref="FusedConvolution"/> with the ReLU fused in. On a convolution's first
/// call its weight is packed for oneDNN, for that call's input shape, and the plain copy is released
/// (<see cref="FoldedConvolution.ReplaceWeight"/>), so the weight is held once. Not thread-safe (its backend is called under the model's lock).
/// </summary>
internal sealed class FusedKernel : IConvolutionKernel
{
    private readonly Dictionary<FoldedConvolution, long[]> _packed = [];

    /// <summary>True when every convolution of <paramref name="plan"/> has its packed weight.</summary>
    public bool HasPacked(NetworkPlan plan) => plan.Convolutions().All(_packed.ContainsKey);

    /// <summary>The input shape (N x C x H x W) <paramref name="convolution"/>'s weight was packed for, on its first call.</summary>
    public long[] PackedFor(FoldedConvolution convolution) => _packed[convolution];

    /// <inheritdoc />
    public Tensor Run(FoldedConvolution convolution, Tensor input, bool relu)
    {
        if (!_packed.ContainsKey(convolution))
        {
            convolution.ReplaceWeight(FusedConvolution.Pack(convolution.Weight, convolution.Stride, convolution.Padding, input.shape).DetachFromDisposeScope());
            _packed.Add(convolution, input.shape);
        }
        using var dense = MemoryLayout.IsChannelsLast(input) ? null : MemoryLayout.ToChannelsLast(input);
        return FusedConvolution.Forward(dense ?? input, convolution.Weight, convolution.Bias, convolution.Stride, convolution.Padding, relu);
    }
}
