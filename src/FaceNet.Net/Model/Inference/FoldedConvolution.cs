using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// A convolution with a bias whose weights were computed at load time (BatchNorm or a residual scale folded in),
/// for inference only: plain tensors, not module parameters, so they never appear in a state dict and take no
/// gradient. When <see cref="ComputedOutputChannels"/> exceeds <see cref="OutputChannels"/> the weight carries zero
/// rows (<see cref="PointwiseConvPadding"/>) and the extra output channels are dropped after the call.
/// Owns its tensors; the backend that owns the plan may replace <see cref="Weight"/> by a form its kernel prefers
/// (<see cref="ReplaceWeight"/>). Not thread-safe: a plan belongs to one backend, which a model calls under its lock.
/// </summary>
internal sealed class FoldedConvolution(Tensor weight, Tensor bias, long[] stride, long[] padding, long outputChannels) : IDisposable
{
    /// <summary>The weight: O' x C x kH x kW (O' = <see cref="ComputedOutputChannels"/>), or a backend's packed form of it.</summary>
    public Tensor Weight { get; private set; } = weight;

    /// <summary>The bias (O').</summary>
    public Tensor Bias { get; } = bias;

    /// <summary>Stride (height, width).</summary>
    public long[] Stride { get; } = stride;

    /// <summary>Zero padding (height, width).</summary>
    public long[] Padding { get; } = padding;

    /// <summary>The output channels the layer has.</summary>
    public long OutputChannels { get; } = outputChannels;

    /// <summary>The output channels the convolution computes (more than <see cref="OutputChannels"/> when padded).</summary>
    public long ComputedOutputChannels => Bias.shape[0];

    /// <summary>
    /// A folded convolution from <paramref name="weight"/> (O x C x kH x kW) and <paramref name="bias"/> (O), which are
    /// not modified: cast to <paramref name="dtype"/>, padded when <paramref name="padPointwise"/> and
    /// <see cref="PointwiseConvPadding"/> says so for a 1x1 stride-1 convolution, the weight channels-last when
    /// <paramref name="channelsLast"/>. The result owns new tensors whatever dispose scope is open.
    /// </summary>
    public static FoldedConvolution Create(Tensor weight, Tensor bias, long[] stride, long[] padding, ScalarType dtype, bool channelsLast, bool padPointwise)
    {
        using var scope = NewDisposeScope();
        long outputChannels = weight.shape[0];
        bool pointwise = weight.shape[2] == 1 && weight.shape[3] == 1 && stride.All(s => s == 1) && padding.All(p => p == 0);
        long computed = padPointwise && pointwise ? PointwiseConvPadding.PaddedOutputChannels(outputChannels) : outputChannels;
        if (computed != outputChannels)
        {
            weight = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, computed - outputChannels]);
            bias = nn.functional.pad(bias, [0, computed - outputChannels]);
        }
        var w = weight.to(dtype, copy: true).contiguous();
        if (channelsLast) w = MemoryLayout.ToChannelsLast(w);
        var b = bias.to(dtype, copy: true).contiguous();
        return new FoldedConvolution(w.detach().DetachFromDisposeScope(), b.detach().DetachFromDisposeScope(),
            stride.ToArray(), padding.ToArray(), outputChannels);
    }

    /// <summary>Replaces the weight by <paramref name="replacement"/> (taking ownership) and frees the old one.</summary>
    public void ReplaceWeight(Tensor replacement)
    {
        var old = Weight;
        Weight = replacement;
        old.Dispose();
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
