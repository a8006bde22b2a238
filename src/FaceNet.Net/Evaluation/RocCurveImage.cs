using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Evaluation;

/// <summary>
/// Draws a ROC curve as a PNG with plain pixel rasterisation: white background, black axes with tick marks every
/// <see cref="RocPlotOptions.TickStep"/>, the chance diagonal in grey, and the curve in blue (2 px). No text (no fonts
/// are needed). Stateless, thread-safe.
/// </summary>
public static class RocCurveImage
{
    /// <summary>The background colour.</summary>
    public static readonly Rgb24 Background = new(255, 255, 255);

    /// <summary>The colour of the axes and tick marks.</summary>
    public static readonly Rgb24 AxisColor = new(0, 0, 0);

    /// <summary>The colour of the chance diagonal.</summary>
    public static readonly Rgb24 DiagonalColor = new(170, 170, 170);

    /// <summary>The colour of the curve.</summary>
    public static readonly Rgb24 CurveColor = new(20, 60, 220);

    /// <summary>Renders the curve; the caller disposes the image.</summary>
    /// <param name="roc">Points with rates in [0, 1], in the order to join them.</param>
    /// <param name="options">Size and layout (default 400 x 400).</param>
    /// <exception cref="ArgumentException">Fewer than 2 points, a rate outside [0, 1], or a plot area under 20 px.</exception>
    public static Image<Rgb24> Render(IReadOnlyList<RocPoint> roc, RocPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(roc);
        var o = options ?? new RocPlotOptions();
        if (o.Width - 2 * o.Margin < 20 || o.Height - 2 * o.Margin < 20 || o.Margin < o.TickLength + 1 || o.TickStep <= 0)
            throw new ArgumentException($"A {o.Width} x {o.Height} picture with margin {o.Margin} leaves no room for the plot.", nameof(options));
        if (roc.Count < 2) throw new ArgumentException("A ROC curve needs at least 2 points.", nameof(roc));
        foreach (var p in roc)
            if (!(p.FalsePositiveRate is >= 0 and <= 1) || !(p.TruePositiveRate is >= 0 and <= 1))
                throw new ArgumentException($"ROC point ({p.FalsePositiveRate}, {p.TruePositiveRate}) is outside [0, 1].", nameof(roc));

        var image = new Image<Rgb24>(o.Width, o.Height, Background);
        Line(image, o.ToPixel(0, 0), o.ToPixel(1, 1), DiagonalColor, dashed: true);
        Line(image, o.ToPixel(0, 0), o.ToPixel(1, 0), AxisColor);
        Line(image, o.ToPixel(0, 0), o.ToPixel(0, 1), AxisColor);
        int ticks = (int)Math.Round(1 / o.TickStep);
        for (int i = 0; i <= ticks; i++)
        {
            double v = Math.Min(1, i * o.TickStep);
            var (x, y0) = o.ToPixel(v, 0);
            Line(image, (x, y0 + 1), (x, y0 + o.TickLength), AxisColor);
            var (x0, y) = o.ToPixel(0, v);
            Line(image, (x0 - o.TickLength, y), (x0 - 1, y), AxisColor);
        }
        for (int i = 1; i < roc.Count; i++)
        {
            var a = o.ToPixel(roc[i - 1].FalsePositiveRate, roc[i - 1].TruePositiveRate);
            var b = o.ToPixel(roc[i].FalsePositiveRate, roc[i].TruePositiveRate);
            Line(image, a, b, CurveColor);
            Line(image, (a.X + 1, a.Y), (b.X + 1, b.Y), CurveColor);
        }
        return image;
    }

    /// <summary>Renders the curve and writes it as a PNG, atomically (temporary file, then rename).</summary>
    /// <param name="path">The PNG file; its folder must exist.</param>
    /// <param name="roc">The curve.</param>
    /// <param name="options">Size and layout.</param>
    public static void Write(string path, IReadOnlyList<RocPoint> roc, RocPlotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var image = Render(roc, options);
        IO.AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }

    /// <summary>Bresenham's line, clipped to the picture; dashed draws 6 px on, 4 px off.</summary>
    private static void Line(Image<Rgb24> image, (int X, int Y) from, (int X, int Y) to, Rgb24 color, bool dashed = false)
    {
        int x = from.X, y = from.Y, dx = Math.Abs(to.X - x), dy = -Math.Abs(to.Y - y);
        int sx = x < to.X ? 1 : -1, sy = y < to.Y ? 1 : -1, err = dx + dy, n = 0;
        while (true)
        {
            if ((!dashed || n % 10 < 6) && x >= 0 && y >= 0 && x < image.Width && y < image.Height) image[x, y] = color;
            n++;
            if (x == to.X && y == to.Y) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x += sx; }
            if (e2 <= dx) { err += dx; y += sy; }
        }
    }
}
