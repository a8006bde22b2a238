using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>Small synthetic images for encoder and gallery tests, generated from a seed.</summary>
internal static class TestImages
{
    /// <summary>A smooth random-looking RGB image: a different pattern per seed.</summary>
    public static Image<Rgb24> Face(int seed, int width = 160, int height = 160)
    {
        var random = new Random(seed);
        double fr = random.NextDouble() * 0.2 + 0.02, fg = random.NextDouble() * 0.2 + 0.02, fb = random.NextDouble() * 0.2 + 0.02;
        double pr = random.NextDouble() * 6, pg = random.NextDouble() * 6, pb = random.NextDouble() * 6;
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24(
                    (byte)(127 + 120 * Math.Sin(fr * x + pr + 0.05 * y)),
                    (byte)(127 + 120 * Math.Sin(fg * y + pg + 0.03 * x)),
                    (byte)(127 + 120 * Math.Cos(fb * (x + y) + pb)));
        return image;
    }

    /// <summary>Writes <see cref="Face"/> images as PNG files into <paramref name="folder"/> and returns their paths.</summary>
    public static List<string> WriteFaces(string folder, int count, int firstSeed = 1)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, $"face{firstSeed + i}.png");
            using var image = Face(firstSeed + i);
            image.SaveAsPng(path);
            paths.Add(path);
        }
        return paths;
    }
}
