using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// The network's basic unit (Keras <c>conv2d_bn</c>, facenet-pytorch <c>BasicConv2d</c>): Conv2d without bias,
/// BatchNorm (eps 0.001; Keras <c>scale=False</c>, so the BatchNorm weight stays 1) and ReLU. Parameter names
/// (<c>conv.weight</c>, <c>bn.bias</c>, <c>bn.running_mean</c>, ...) are the state-dict keys.
/// </summary>
internal sealed class ConvBnRelu : Module<Tensor, Tensor>
{
    /// <summary>BatchNorm epsilon of the published network.</summary>
    public const double BatchNormEpsilon = 0.001;

#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
#pragma warning restore IDE1006

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

    /// <summary>The convolution (no bias).</summary>
    public Conv2d Convolution => conv;

    /// <summary>The BatchNorm after it.</summary>
    public BatchNorm2d Norm => bn;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var convolved = conv.forward(input);
        using var normalised = bn.forward(convolved);
        return functional.relu(normalised);
    }
}
