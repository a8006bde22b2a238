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

    /// <summary>An already preprocessed 1 x 160 x 160 x 3 (NHWC) input as a float32 [1, 3, 160, 160] (NCHW) tensor.</summary>
    /// <exception cref="ArgumentException">The array does not hold exactly <see cref="ValuesPerImage"/> values.</exception>
    public static TorchSharp.torch.Tensor FromNhwc(float[] nhwc)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        if (nhwc.Length != ValuesPerImage)
            throw new ArgumentException($"expected 1 x {Size} x {Size} x 3 = {ValuesPerImage} values, got {nhwc.Length}", nameof(nhwc));
        FaceNetRuntime.EnsureInitialized();
        using var hwc = TorchSharp.torch.tensor(nhwc, [1, Size, Size, 3]);
        return hwc.permute(0, 3, 1, 2).contiguous();
    }
}
