using System.Runtime.Intrinsics.X86;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Works around a oneDNN bug: which 1x1 convolutions get zero output channels added before they run channels-last
/// on the CPU. Stateless, thread-safe.
/// </summary>
/// <remarks>
/// <para>The oneDNN bundled with libtorch 2.10 (v3.7.1) computes the last block of output channels wrong in its
/// channels-last 1x1 kernel for AVX-512 CPUs (<c>brgconv_1x1:avx512_core</c>) when the output channel count does not
/// divide into the kernel's channel block (16, 32, 48 or 64, chosen per call from batch size and thread count).
/// Counts that were always right: 16, 32, 64, 128, 256 and every multiple of 96; the rule keeps those and pads every
/// other count up to the next multiple of 96 with zero weights and bias, dropping the extra channels after the call.
/// In Inception-ResNet-v1 that pads <c>conv2d_3b</c> (80 → 96), the Block17 projections (896 → 960) and the Block8
/// projections (1792 → 1824). The measurements behind the rule are in docs/performance.md;
/// <c>ChannelsLastTests</c> checks every 1x1 shape of the network against float64.</para>
/// <para>The padding is tied to what it works around (<see cref="Applies"/>): that libtorch, on a CPU that runs the
/// AVX-512 kernel. Elsewhere convolutions run unpadded.</para>
/// </remarks>
internal static class PointwiseConvPadding
{
    /// <summary>The multiple padded counts are rounded up to.</summary>
    public const int Multiple = 96;

    /// <summary>Whether the bug can occur: libtorch 2.10.x (oneDNN 3.7.1) on a CPU with AVX-512.</summary>
    /// <param name="libTorchVersion">The loaded libtorch's version, e.g. <c>2.10.0</c> or <c>2.10.0+cpu</c>.</param>
    public static bool Applies(string? libTorchVersion) =>
        libTorchVersion is not null && libTorchVersion.StartsWith("2.10.", StringComparison.Ordinal) && Avx512F.IsSupported;

    /// <summary>The output channel count to run a 1x1 channels-last convolution with (≥ <paramref name="outputChannels"/>).</summary>
    public static long PaddedOutputChannels(long outputChannels)
    {
        bool safe = outputChannels % Multiple == 0 || (outputChannels <= 256 && (outputChannels & (outputChannels - 1)) == 0 && outputChannels >= 16);
        return safe ? outputChannels : (outputChannels + Multiple - 1) / Multiple * Multiple;
    }
}
