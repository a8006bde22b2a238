using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// Channels-last (NHWC in memory, NCHW in shape) for the folded inference path on the CPU and on CUDA (where cuDNN's
/// tensor-core kernels work in NHWC). libtorch's oneDNN convolutions
/// read and write channels-last activations as they are, where NCHW activations are reordered to a blocked layout
/// and back around every convolution, and with channels-last weights libtorch does not copy the weight into the
/// input's layout on every call. TorchSharp 0.107 has no <c>contiguous(memory_format)</c>, so the layout is made
/// with permute → contiguous → permute, which gives exactly the strides of <c>torch.channels_last</c>.
/// Stateless, thread-safe.
/// </summary>
internal static class MemoryLayout
{
    /// <summary>
    /// Whether folded CPU networks run channels-last: true unless the environment variable
    /// <c>FACENET_CHANNELS_LAST</c> is <c>0</c> (for comparing the two layouts; the results agree within float rounding).
    /// </summary>
    public static bool ChannelsLastOnCpu { get; } = Environment.GetEnvironmentVariable("FACENET_CHANNELS_LAST") != "0";

    /// <summary>
    /// Whether folded networks on CUDA devices run channels-last: true unless the environment variable
    /// <c>FACENET_CUDA_CHANNELS_LAST</c> is <c>0</c>. On an H200, at batches 64 and 256 in float32, float16 and
    /// bfloat16, it gave 1.23-1.49x the images/s of NCHW in 9 of 10 alternated pairs (one 0.82x); below that the pass
    /// is bound by the host's kernel launches and the two layouts differ by noise (docs/gpu.md).
    /// </summary>
    public static bool ChannelsLastOnCuda { get; } = Environment.GetEnvironmentVariable("FACENET_CUDA_CHANNELS_LAST") != "0";

    /// <summary>Whether folded networks on a device of type <paramref name="device"/> run channels-last.</summary>
    public static bool ChannelsLastOn(TorchSharp.DeviceType device) => device switch
    {
        TorchSharp.DeviceType.CPU => ChannelsLastOnCpu,
        TorchSharp.DeviceType.CUDA => ChannelsLastOnCuda,
        _ => false,
    };

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
