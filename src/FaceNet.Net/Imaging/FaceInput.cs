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

    /// <summary>Writes <paramref name="image"/> into <paramref name="buffer"/> at <paramref name="offset"/> (<see cref="ValuesPerImage"/> values), CHW, preprocessed.</summary>
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
