using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>
/// The preprocessing formulas written out with managed per-pixel loops (what the library did before
/// <see cref="FaceBatch"/>): the independent reference the tensor path is checked against. Test-only.
/// </summary>
internal static class ManagedPreprocessing
{
    private const int Size = FaceInput.Size;

    /// <summary>Floats per image: 3 x 160 x 160.</summary>
    public const int ValuesPerImage = FaceInput.ValuesPerImage;

    /// <summary>
    /// Writes <paramref name="image"/> into <paramref name="buffer"/> at <paramref name="offset"/>
    /// (<see cref="ValuesPerImage"/> values), CHW, resized to 160x160 (bicubic) when needed and preprocessed
    /// with plain per-value loops.
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
                Size = new SixLabors.ImageSharp.Size(Size, Size),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Bicubic,
            }));
            CopyChannelsFirst(resized, buffer, offset);
        }
        Normalize(buffer.AsSpan(offset, ValuesPerImage), mode);
    }

    /// <summary>Scales <paramref name="values"/> (one image, all channels) in place.</summary>
    public static void Normalize(Span<float> values, PreprocessingMode mode)
    {
        switch (mode)
        {
            case PreprocessingMode.Unit:
                for (int i = 0; i < values.Length; i++) values[i] /= 255f;
                break;
            case PreprocessingMode.Fixed:
                for (int i = 0; i < values.Length; i++) values[i] = (values[i] - 127.5f) / 128f;
                break;
            case PreprocessingMode.Prewhiten:
                Prewhiten(values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown preprocessing mode.");
        }
    }

    /// <summary>(x − mean) / max(std, 1/sqrt(N)), population std over all N values, sums in double.</summary>
    private static void Prewhiten(Span<float> values)
    {
        int n = values.Length;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += values[i];
        double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double d = values[i] - mean;
            squares += d * d;
        }
        double std = Math.Sqrt(squares / n);
        double adjusted = Math.Max(std, 1.0 / Math.Sqrt(n));
        float m = (float)mean;
        float scale = (float)(1.0 / adjusted);
        for (int i = 0; i < n; i++) values[i] = (values[i] - m) * scale;
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
