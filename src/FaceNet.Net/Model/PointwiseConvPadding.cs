namespace FaceNet.Net.Model;

/// <summary>
/// Which 1x1 convolutions get zero output channels added before they run channels-last on the CPU, working around
/// a oneDNN bug. Stateless, thread-safe.
/// </summary>
/// <remarks>
/// <para>The oneDNN bundled with libtorch 2.10 (v3.7.1) computes the last block of output channels wrong in its
/// channels-last 1x1 kernel (<c>brgconv_1x1:avx512_core</c>) when the output channel count does not divide into
/// the kernel's channel block (16, 32, 48 or 64, chosen per call from batch size and thread count): the last 16 or
/// 32 channels come out with errors as large as the values. Measured on the build machine (AMD EPYC, AVX-512,
/// 1 and 2 threads, batch 1 to 32) against float64 convolutions: 80, 112, 176, 208, 272, 304, 320, 896 and 1792
/// output channels failed; 16, 32, 64, 128, 256 and every multiple of 96 tested (96 to 1920) were right.</para>
/// <para>The rule here keeps the counts that were always right and pads every other count up to the next multiple
/// of 192 (divisible by all four block sizes), with zero weights and bias; the extra channels are dropped after
/// the convolution. In Inception-ResNet-v1 that pads three layers: <c>conv2d_3b</c> (80 → 192), the Block17
/// projections (896 → 960) and the Block8 projections (1792 → 1920), about 1.5 % more arithmetic in all.
/// <c>ChannelsLastTests</c> checks every 1x1 shape of the network at several batch sizes and thread counts.</para>
/// </remarks>
internal static class PointwiseConvPadding
{
    /// <summary>The multiple padded counts are rounded up to.</summary>
    public const int Multiple = 96;

    /// <summary>The output channel count to run a 1x1 channels-last convolution with (≥ <paramref name="outputChannels"/>).</summary>
    public static long PaddedOutputChannels(long outputChannels)
    {
        bool safe = outputChannels % 96 == 0 || (outputChannels <= 256 && (outputChannels & (outputChannels - 1)) == 0 && outputChannels >= 16);
        return safe ? outputChannels : (outputChannels + Multiple - 1) / Multiple * Multiple;
    }
}
