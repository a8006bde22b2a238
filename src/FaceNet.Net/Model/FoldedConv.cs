using FaceNet.Net.Model.OneDnn;
using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// A convolution with a bias whose weights were computed at load time (BatchNorm or a residual scale folded in),
/// for inference only: plain tensors, not module parameters, so they never appear in a state dict and take no
/// gradient. Owns its tensors. On the CPU and on CUDA (unless channels-last is switched off, see
/// <see cref="MemoryLayout"/>) the weight is kept channels-last. On the CPU a 1x1 convolution whose output channel
/// count trips a oneDNN bug runs with zero channels added (<see cref="PointwiseConvPadding"/>); its output is still
/// exactly the convolution's.
/// There, in float32 and bfloat16, the convolution runs as one fused oneDNN call with the ReLU when asked
/// (<see cref="FusedConvolution"/>): on the first call the weight is reordered for oneDNN, for that call's input
/// shape, and the plain copy is released, so the weight is held once. Forward may run on several threads at once;
/// not thread-safe to dispose while in use.
/// </summary>
internal sealed class FoldedConv : IDisposable
{
    private readonly Tensor _bias;
    private readonly long[] _stride;
    private readonly long[] _padding;
    private readonly long _outputChannels;
    private readonly bool _fusable;
    private readonly object _weightLock = new();
    private Tensor? _weight; // plain (channels-last where MemoryLayout says); null once the packed weight replaced it
    private Tensor? _packed; // oneDNN's layout, a MKLDNN tensor

    /// <summary>Takes ownership of <paramref name="weight"/> (O x C x kH x kW) and <paramref name="bias"/> (O).</summary>
    public FoldedConv(Tensor weight, Tensor bias, long[] stride, long[] padding)
    {
        _stride = stride;
        _padding = padding;
        _outputChannels = weight.shape[0];
        if (!MemoryLayout.ChannelsLastOn(weight.device_type))
        {
            _weight = weight;
            _bias = bias;
            return;
        }
        bool cpu = weight.device_type == TorchSharp.DeviceType.CPU;
        bool pointwise = weight.shape[2] == 1 && weight.shape[3] == 1 && stride.All(s => s == 1) && padding.All(p => p == 0);
        // The padding works around a oneDNN (CPU) bug; cuDNN needs none.
        long padded = cpu && pointwise ? PointwiseConvPadding.PaddedOutputChannels(_outputChannels) : _outputChannels;
        using (var scope = NewDisposeScope())
        {
            var w = weight;
            var b = bias;
            if (padded != _outputChannels)
            {
                w = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, padded - _outputChannels]);
                b = nn.functional.pad(bias, [0, padded - _outputChannels]);
            }
            // Detached: owned here whatever scope the caller has open.
            _weight = MemoryLayout.ToChannelsLast(w).DetachFromDisposeScope();
            _bias = b.DetachFromDisposeScope();
        }
        if (!ReferenceEquals(_weight, weight)) weight.Dispose();
        if (!ReferenceEquals(_bias, bias)) bias.Dispose();
        _fusable = cpu && FusedConvolution.Supports(_weight.dtype) && FusedConvolution.IsAvailable; // FACENET_FUSED_CONV=0: the module is never loaded
    }

    /// <summary>Stride (height, width).</summary>
    public IReadOnlyList<long> Stride => _stride;

    /// <summary>Zero padding (height, width).</summary>
    public IReadOnlyList<long> Padding => _padding;

    /// <summary>The output channels the layer has.</summary>
    public long OutputChannels => _outputChannels;

    /// <summary>The output channels the convolution computes (more than <see cref="OutputChannels"/> when padded, see <see cref="PointwiseConvPadding"/>).</summary>
    public long ComputedOutputChannels => _bias.shape[0];

    /// <summary>
    /// The fused call's weight (packed for oneDNN) and bias, or null when this convolution does not run fused or has
    /// not run yet (the weight is packed on first use).
    /// </summary>
    public (Tensor PackedWeight, Tensor Bias)? FusedArguments =>
        _fusable && Volatile.Read(ref _packed) is { } packed ? (packed, _bias) : null;

    /// <summary>The convolution with the folded bias (for channels-last input, a dense channels-last output).</summary>
    public Tensor Forward(Tensor input) => Forward(input, relu: false);

    /// <summary>The convolution with the folded bias, then an in-place ReLU when <paramref name="relu"/>.</summary>
    public Tensor Forward(Tensor input, bool relu)
    {
        Tensor output;
        if (_fusable && FusedConvolution.Enabled && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == _bias.dtype)
        {
            using var dense = MemoryLayout.IsChannelsLast(input) ? null : MemoryLayout.ToChannelsLast(input);
            output = FusedConvolution.Forward(dense ?? input, PackedWeight(input.shape), _bias, _stride, _padding, relu);
        }
        else
        {
            output = nn.functional.conv2d(input, PlainWeight(), _bias, _stride, _padding);
            if (relu) output.relu_();
        }
        if (output.shape[1] == _outputChannels) return output;
        using (output)
        using (var kept = output.narrow(1, 0, _outputChannels))
            return MemoryLayout.ToChannelsLast(kept);
    }

    /// <summary>
    /// relu(residual + conv(input)), or residual + conv(input) when <paramref name="relu"/> is false: the residual
    /// connection of the Inception-ResNet blocks. <paramref name="residual"/> is not modified.
    /// </summary>
    public Tensor ForwardResidual(Tensor input, Tensor residual, bool relu)
    {
        var sum = Forward(input, relu: false).add_(residual);
        return relu ? sum.relu_() : sum;
    }

    // The packed weight, made on first use for that input shape; the plain one is released then.
    private Tensor PackedWeight(long[] inputShape)
    {
        if (Volatile.Read(ref _packed) is { } packed) return packed;
        lock (_weightLock)
        {
            if (_packed is null)
            {
                _packed = FusedConvolution.Pack(_weight!, _stride, _padding, inputShape).DetachFromDisposeScope(); // owned here
                _weight!.Dispose();
                _weight = null;
            }
            return _packed;
        }
    }

    // The plain weight, made back from the packed one when the fused path was switched off after it ran.
    private Tensor PlainWeight()
    {
        if (Volatile.Read(ref _weight) is { } weight) return weight;
        lock (_weightLock)
        {
            _weight ??= FusedConvolution.Unpack(_packed!).DetachFromDisposeScope();
            return _weight;
        }
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _weight?.Dispose();
        _bias.Dispose();
        _packed?.Dispose();
    }
}
