using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// Channels-last (NHWC in memory, NCHW in shape) for the folded inference path: libtorch's oneDNN convolutions then
/// read and write activations without reordering them around every layer. TorchSharp 0.107 has no
/// <c>contiguous(memory_format)</c>, so the layout is made with permute → contiguous → permute, which gives exactly
/// the strides of <c>torch.channels_last</c>. Stateless, thread-safe.
/// </summary>
internal static class MemoryLayout
{
    /// <summary>Whether the folded network runs channels-last (measured faster on the CPU; see docs/performance.md).</summary>
    public static bool UseChannelsLast { get; } = Environment.GetEnvironmentVariable("FACENET_CHANNELS_LAST") != "0";

    /// <summary>A channels-last copy of a 4-d tensor when <see cref="UseChannelsLast"/>; otherwise (or for other ranks) the tensor itself.</summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (!UseChannelsLast || x.ndim != 4) return x;
        using var nhwc = x.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }
}
