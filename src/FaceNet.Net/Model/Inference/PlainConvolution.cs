using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>The eager kernel: libtorch's own <c>conv2d</c> (any device, any type), then an in-place ReLU. Stateless, thread-safe.</summary>
internal sealed class PlainConvolution : IConvolutionKernel
{
    /// <summary>The one instance.</summary>
    public static PlainConvolution Instance { get; } = new();

    private PlainConvolution() { }

    /// <inheritdoc />
    public Tensor Run(FoldedConvolution convolution, Tensor input, bool relu)
    {
        var output = nn.functional.conv2d(input, convolution.Weight, convolution.Bias, convolution.Stride, convolution.Padding);
        return relu ? output.relu_() : output;
    }
}
