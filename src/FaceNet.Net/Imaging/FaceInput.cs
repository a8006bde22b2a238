using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Turns an RGB face crop into the network's input: 160x160, channels first (CHW), preprocessed.
/// An image of another size is resized with the bicubic resampler to exactly 160x160 (stretched, not
/// cropped: the input is expected to be an aligned face crop, as in the seed notebook). Thread-safe:
/// the caller's image is never modified.
/// </summary>
internal static class FaceInput
{
    /// <summary>Width and height of the network's input.</summary>
    public const int Size = 160;

    /// <summary>Floats per image: 3 x 160 x 160.</summary>
    public const int ValuesPerImage = 3 * Size * Size;

    /// <summary>
    /// Writes <paramref name="image"/> into <paramref name="buffer"/> at <paramref name="offset"/>
    /// (<see cref="ValuesPerImage"/> values), CHW, preprocessed with managed loops: the reference for
    /// <see cref="FaceBatch.ToTensor"/>, which the encoder uses.
    /// </summary>
    public static void Fill(Image<Rgb24> image, float[] buffer, int offset, PreprocessingMode mode)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || offset > buffer.Length - ValuesPerImage)
            throw new ArgumentOutOfRangeException(nameof(offset), $"The buffer must hold {ValuesPerImage} values from the offset.");

        if (image.Width == Size && image.Height == Size)
        {
            CopyChannelsFirst(image, buffer, offset);
        }
        else
        {
            using var resized = image.Clone(x => x.Resize(new ResizeOptions
            {
                Size = new Size(Size, Size),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Bicubic,
            }));
            CopyChannelsFirst(resized, buffer, offset);
        }
        PixelNormalization.Apply(buffer.AsSpan(offset, ValuesPerImage), mode);
    }

    /// <summary>
    /// One image as a float32 [1, 3, 160, 160] tensor (channels-last memory), resized and preprocessed like
    /// <see cref="Fill"/>, built by <see cref="FaceBatch.ToTensor"/>.
    /// </summary>
    public static TorchSharp.torch.Tensor ToTensor(Image<Rgb24> image, PreprocessingMode mode)
    {
        ArgumentNullException.ThrowIfNull(image);
        return FaceBatch.ToTensor([image], mode);
    }

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

    /// <summary>Copies 0..255 values row by row from ImageSharp's row spans into the R, G and B planes.</summary>
    private static void CopyChannelsFirst(Image<Rgb24> image, float[] planes, int start)
    {
        image.ProcessPixelRows(accessor =>
        {
            const int plane = Size * Size;
            for (int y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                int offset = start + y * Size;
                var r = planes.AsSpan(offset, Size);
                var g = planes.AsSpan(plane + offset, Size);
                var b = planes.AsSpan(2 * plane + offset, Size);
                for (int x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    r[x] = p.R;
                    g[x] = p.G;
                    b[x] = p.B;
                }
            }
        });
    }
}
