using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Channels-last (NHWC in memory, NCHW in shape) for the inference backends on the CPU and on CUDA (where cuDNN's
/// tensor-core kernels work in NHWC); whether a model uses it is <see cref="InferenceSettings.ChannelsLast"/>. libtorch's oneDNN convolutions
/// read and write channels-last activations as they are, where NCHW activations are reordered to a blocked layout
/// and back around every convolution, and with channels-last weights libtorch does not copy the weight into the
/// input's layout on every call. TorchSharp 0.107 has no <c>contiguous(memory_format)</c>, so the layout is made
/// with permute → contiguous → permute, which gives exactly the strides of <c>torch.channels_last</c>.
/// Stateless, thread-safe.
/// </summary>
internal static class MemoryLayout
{
    /// <summary>A channels-last copy of a 4-d tensor, or the tensor itself when it already is channels-last (or not 4-d).</summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (x.ndim != 4 || IsChannelsLast(x)) return x;
        using var nhwc = x.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// True when a 4-d tensor is laid out densely channels-last: channel stride 1, then width, height and batch
    /// strides of C, W·C and H·W·C (size-1 dimensions ignored, as libtorch does).
    /// </summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.ndim != 4) return false;
        var shape = x.shape;
        var strides = x.stride();
        long expected = 1;
        foreach (var dim in new[] { 1, 3, 2, 0 })
        {
            if (shape[dim] != 1 && strides[dim] != expected) return false;
            expected *= shape[dim];
        }
        return true;
    }
}
