namespace FaceNet.Net.Imaging;

/// <summary>
/// The network's input: 160x160, channels first (CHW), preprocessed. Images become input through
/// <see cref="FaceBatch.ToTensor"/>; this type holds the sizes and takes input that is already preprocessed.
/// Stateless and thread-safe.
/// </summary>
internal static class FaceInput
{
    /// <summary>Width and height of the network's input.</summary>
    public const int Size = 160;

    /// <summary>Floats per image: 3 x 160 x 160.</summary>
    public const int ValuesPerImage = 3 * Size * Size;

    /// <summary>
    /// Already preprocessed N x 160 x 160 x 3 (NHWC) input as a float32 [N, 3, 160, 160] (NCHW, contiguous) CPU tensor,
    /// N = length / <see cref="ValuesPerImage"/>. The values are copied; the caller disposes the tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The values are not a positive whole number of images.</exception>
    public static TorchSharp.torch.Tensor FromNhwc(ReadOnlySpan<float> nhwc)
    {
        if (nhwc.IsEmpty || nhwc.Length % ValuesPerImage != 0)
            throw new ArgumentException($"expected N x {Size} x {Size} x 3 values, a positive multiple of {ValuesPerImage}, got {nhwc.Length}", nameof(nhwc));
        FaceNetRuntime.EnsureInitialized();
        long n = nhwc.Length / ValuesPerImage;
        using var hwc = TorchSharp.torch.tensor(nhwc.ToArray(), [n, Size, Size, 3]);
        return hwc.permute(0, 3, 1, 2).contiguous();
    }
}
