using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model;

/// <summary>
/// The network's basic unit (Keras <c>conv2d_bn</c>): Conv2d without bias, BatchNorm (eps 0.001; Keras
/// <c>scale=False</c>, so the BatchNorm weight stays 1) and ReLU. Parameter names
/// (<c>conv.weight</c>, <c>bn.bias</c>, <c>bn.running_mean</c>, ...) match facenet-pytorch's <c>BasicConv2d</c>.
/// </summary>
internal sealed class ConvBnRelu : Module<Tensor, Tensor>, IFoldable, Graph.IScriptEmitter
{
    /// <summary>BatchNorm epsilon of the published network.</summary>
    public const double BatchNormEpsilon = 0.001;

#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
#pragma warning restore IDE1006
    private FoldedConv? _folded;

    /// <summary>A unit with a square or rectangular kernel; <paramref name="padding"/> is symmetric ("same" for stride 1, or 0 for "valid").</summary>
    public ConvBnRelu(long inChannels, long outChannels, (long H, long W) kernel, long stride = 1, (long H, long W) padding = default)
        : base(nameof(ConvBnRelu))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: (stride, stride), padding: padding, bias: false);
        bn = BatchNorm2d(outChannels, eps: BatchNormEpsilon, momentum: 0.1);
        RegisterComponents();
    }

    /// <summary>A unit with a square kernel.</summary>
    public ConvBnRelu(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0)
        : this(inChannels, outChannels, (kernel, kernel), stride, (padding, padding)) { }

    /// <summary>
    /// Folds the BatchNorm into the convolution for inference (exact in eval mode): w' = w·γ/sqrt(var+eps),
    /// b' = β − mean·γ/sqrt(var+eps). After it, <see cref="forward"/> runs one convolution with bias and an
    /// in-place ReLU, in <paramref name="dtype"/>. The module's own parameters are left as loaded.
    /// </summary>
    public void Fold(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var scale = bn.weight!.div((bn.running_var! + BatchNormEpsilon).sqrt());             // C
        var weight = conv.weight.mul(scale.reshape(-1, 1, 1, 1)).to(dtype).contiguous();
        var bias = (bn.bias! - bn.running_mean! * scale).to(dtype).contiguous();
        _folded?.Dispose();
        _folded = new FoldedConv(weight.detach().MoveToOuterDisposeScope(), bias.detach().MoveToOuterDisposeScope(), conv.stride, conv.padding!);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (_folded is not null) return _folded.Forward(input, relu: true);
        using var convolved = conv.forward(input);
        using var normalised = bn.forward(convolved);
        return functional.relu(normalised);
    }

    /// <inheritdoc />
    public string Emit(Graph.ScriptWriter writer, string input) => writer.Convolution(_folded, input, relu: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _folded?.Dispose();
        base.Dispose(disposing);
    }
}
