using FaceNet.Net.Evaluation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Evaluation;

public class RocCurveImageTests
{
    [Test]
    public void The_PNG_is_valid_has_the_size_asked_and_shows_axes_ticks_diagonal_and_curve_where_expected()
    {
        var dir = Directory.CreateTempSubdirectory("facenet-roc-").FullName;
        try
        {
            var path = Path.Combine(dir, "roc.png");
            var options = new RocPlotOptions { Width = 300, Height = 240, Margin = 30 };
            RocPoint[] roc = [new(0, 0, 0), new(1, 0.2, 0.6), new(2, 1, 1)];
            RocCurveImage.Write(path, roc, options);

            var bytes = File.ReadAllBytes(path);
            Assert.That(bytes.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "PNG signature");
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file left");
            using var image = Image.Load<Rgb24>(path);
            Assert.That((image.Width, image.Height), Is.EqualTo((300, 240)));

            // Plot square: x = 30 + fpr * 239, y = 209 − tpr * 179 (see RocPlotOptions).
            static (int, int) At(double fpr, double tpr) => ((int)Math.Round(30 + fpr * 239), (int)Math.Round(209 - tpr * 179));
            var blue = RocCurveImage.CurveColor;
            // On the first segment, (0,0) -> (.2,.6): at fpr .1 the curve is at tpr .3.
            var (x1, y1) = At(0.1, 0.3);
            Assert.That(Near(image, x1, y1, blue), Is.True, "curve pixel on the first segment");
            // On the second segment, (.2,.6) -> (1,1): at fpr .6 the curve is at tpr .8.
            var (x2, y2) = At(0.6, 0.8);
            Assert.That(Near(image, x2, y2, blue), Is.True, "curve pixel on the second segment");
            // Below the curve and off the diagonal, nothing is drawn.
            var (xe, ye) = At(0.8, 0.3);
            Assert.That(image[xe, ye], Is.EqualTo(RocCurveImage.Background));
            // Axes: the x axis at tpr 0, the y axis at fpr 0; tick marks below the x axis at every 0.1.
            var (xa, ya) = At(0.55, 0);
            Assert.That(image[xa, ya], Is.EqualTo(RocCurveImage.AxisColor));
            var (xb, yb) = At(0, 0.55);
            Assert.That(image[xb, yb], Is.EqualTo(RocCurveImage.AxisColor));
            var (xt, yt) = At(0.5, 0);
            Assert.That(image[xt, yt + 3], Is.EqualTo(RocCurveImage.AxisColor), "tick at fpr .5");
            Assert.That(image[xt + 3, yt + 3], Is.EqualTo(RocCurveImage.Background), "between ticks");
            // The chance diagonal passes through (.5,.5) (dashed: look along a few pixels).
            int diagonal = Enumerable.Range(-6, 13).Count(k =>
            {
                var (x, y) = At(0.5 + k / 239.0, 0.5 + k / 179.0);
                return Near(image, x, y, RocCurveImage.DiagonalColor);
            });
            Assert.That(diagonal, Is.GreaterThanOrEqualTo(6), "at least the dashes' share of 13 points along the diagonal");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Bad_curves_and_sizes_are_rejected()
    {
        Assert.That(() => RocCurveImage.Render([new(0, 0, 0)]), Throws.ArgumentException.With.Message.Contains("at least 2"));
        Assert.That(() => RocCurveImage.Render([new(0, 0, 0), new(1, 1.5, 1)]), Throws.ArgumentException.With.Message.Contains("outside"));
        Assert.That(() => RocCurveImage.Render([new(0, 0, 0), new(1, 1, 1)], new RocPlotOptions { Width = 50, Height = 50 }), Throws.ArgumentException);
    }

    private static bool Near(Image<Rgb24> image, int x, int y, Rgb24 colour)
    {
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
                if (image[x + dx, y + dy].Equals(colour)) return true;
        return false;
    }
}
