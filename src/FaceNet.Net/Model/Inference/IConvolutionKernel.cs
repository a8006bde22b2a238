using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>How a backend computes one folded convolution of a plan (with its bias, and a ReLU when asked).</summary>
internal interface IConvolutionKernel
{
    /// <summary>
    /// <paramref name="convolution"/> applied to <paramref name="input"/>, then an in-place ReLU when
    /// <paramref name="relu"/>: all <see cref="FoldedConvolution.ComputedOutputChannels"/> channels (the caller cuts
    /// padded ones).
    /// </summary>
    Tensor Run(FoldedConvolution convolution, Tensor input, bool relu);
}
