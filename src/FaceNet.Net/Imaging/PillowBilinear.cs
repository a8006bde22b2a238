using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Pillow's <c>Image.resize(size, Image.BILINEAR)</c> on 8-bit RGB, reproduced bit for bit: the triangle filter whose
/// support widens with the shrink factor (antialiased), coefficients normalised per output pixel and rounded to 22-bit
/// fixed point, a horizontal pass over only the source rows the vertical pass reads, its result rounded and clipped to
/// bytes, then the vertical pass. facenet-pytorch's <c>extract_face</c> resizes every face crop this way (a PIL image
/// input), so cutting crops with it gives exactly facenet-pytorch's crop from the same pixels.
/// </summary>
/// <remarks>Stateless and thread-safe; the source image is only read.</remarks>
internal static class PillowBilinear
{
    /// <summary>Fractional bits of the fixed-point coefficients (Pillow's <c>PRECISION_BITS</c>, 32 − 8 − 2).</summary>
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>
    /// Resizes the window (<paramref name="x"/>, <paramref name="y"/>, <paramref name="width"/>, <paramref name="height"/>)
    /// of <paramref name="source"/> to <paramref name="outWidth"/> x <paramref name="outHeight"/>, as Pillow's
    /// <c>image.crop(box).resize((outWidth, outHeight), BILINEAR)</c> does.
    /// </summary>
    public static Image<Rgb24> CropAndResize(Image<Rgb24> source, int x, int y, int width, int height, int outWidth, int outHeight)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > source.Width || y + height > source.Height)
            throw new ArgumentOutOfRangeException(nameof(width), $"The window {x},{y} {width}x{height} does not lie inside the {source.Width}x{source.Height} image.");
        ArgumentOutOfRangeException.ThrowIfLessThan(outWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outHeight, 1);

        var window = new byte[checked(width * height * 3)];
        source.ProcessPixelRows(accessor =>
        {
            for (int row = 0; row < height; row++)
            {
                var pixels = System.Runtime.InteropServices.MemoryMarshal.AsBytes(accessor.GetRowSpan(y + row).Slice(x, width));
                pixels.CopyTo(window.AsSpan(row * width * 3, width * 3));
            }
        });
        var result = Resize(window, width, height, outWidth, outHeight);
        return Image.LoadPixelData<Rgb24>(result, outWidth, outHeight);
    }

    /// <summary>Resizes packed RGB bytes (<paramref name="width"/> x <paramref name="height"/>) to <paramref name="outWidth"/> x <paramref name="outHeight"/>.</summary>
    public static byte[] Resize(byte[] rgb, int width, int height, int outWidth, int outHeight)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"Expected {width * height * 3} bytes for {width}x{height} RGB, got {rgb.Length}.", nameof(rgb));
        bool horizontal = outWidth != width, vertical = outHeight != height;
        var (ksizeX, boundsX, kernelX) = Coefficients(width, outWidth);
        var (ksizeY, boundsY, kernelY) = Coefficients(height, outHeight);

        byte[] current = rgb;
        int currentHeight = height;
        if (horizontal)
        {
            // Only the rows the vertical pass reads are resampled horizontally (Pillow's ybox_first / ybox_last).
            int first = boundsY[0];
            int last = boundsY[(outHeight - 1) * 2] + boundsY[(outHeight - 1) * 2 + 1];
            for (int i = 0; i < outHeight; i++) boundsY[i * 2] -= first;
            currentHeight = last - first;
            current = Horizontal(rgb, width, first, currentHeight, outWidth, ksizeX, boundsX, kernelX);
        }
        if (vertical) current = Vertical(current, horizontal ? outWidth : width, outHeight, ksizeY, boundsY, kernelY);
        else if (!horizontal) current = (byte[])rgb.Clone();
        return current;
    }

    /// <summary>Pillow's <c>precompute_coeffs</c> for the full input range, then <c>normalize_coeffs_8bpc</c>.</summary>
    private static (int KernelSize, int[] Bounds, int[] Kernel) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle filter's support is 1
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kernel = new int[outSize * ksize];
        var weights = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double inverse = 1.0 / filterScale;
            // C's (int) truncates toward zero, as the casts below do.
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double total = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * inverse);
                weights[x] = w;
                total += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double k = total != 0.0 ? weights[x] / total : weights[x];
                kernel[xx * ksize + x] = k < 0 ? (int)(-0.5 + k * (1 << PrecisionBits)) : (int)(0.5 + k * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (ksize, bounds, kernel);
    }

    private static double Triangle(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static byte[] Horizontal(byte[] src, int width, int firstRow, int rows, int outWidth, int ksize, int[] bounds, int[] kernel)
    {
        var dst = new byte[checked(outWidth * rows * 3)];
        for (int yy = 0; yy < rows; yy++)
        {
            int srcRow = (yy + firstRow) * width * 3, dstRow = yy * outWidth * 3;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], k = xx * ksize;
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                for (int x = 0; x < xmax; x++)
                {
                    int p = srcRow + (x + xmin) * 3, w = kernel[k + x];
                    s0 += src[p] * w;
                    s1 += src[p + 1] * w;
                    s2 += src[p + 2] * w;
                }
                dst[dstRow + xx * 3] = Clip8(s0);
                dst[dstRow + xx * 3 + 1] = Clip8(s1);
                dst[dstRow + xx * 3 + 2] = Clip8(s2);
            }
        }
        return dst;
    }

    private static byte[] Vertical(byte[] src, int width, int outHeight, int ksize, int[] bounds, int[] kernel)
    {
        var dst = new byte[checked(width * outHeight * 3)];
        for (int yy = 0; yy < outHeight; yy++)
        {
            int ymin = bounds[yy * 2], ymax = bounds[yy * 2 + 1], k = yy * ksize;
            for (int xx = 0; xx < width; xx++)
            {
                int s0 = 1 << (PrecisionBits - 1), s1 = s0, s2 = s0;
                for (int y = 0; y < ymax; y++)
                {
                    int p = ((y + ymin) * width + xx) * 3, w = kernel[k + y];
                    s0 += src[p] * w;
                    s1 += src[p + 1] * w;
                    s2 += src[p + 2] * w;
                }
                int o = (yy * width + xx) * 3;
                dst[o] = Clip8(s0);
                dst[o + 1] = Clip8(s1);
                dst[o + 2] = Clip8(s2);
            }
        }
        return dst;
    }

    /// <summary>Pillow's <c>clip8</c>: the fixed-point sum back to a byte, clipped to 0..255.</summary>
    private static byte Clip8(int value)
    {
        if (value >= (1 << PrecisionBits << 8)) return 255;
        if (value <= 0) return 0;
        return (byte)(value >> PrecisionBits);
    }
}
