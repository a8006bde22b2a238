using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Imaging;

public class PreprocessingTests
{
    private static Image<Rgb24> Pattern()
    {
        var image = new Image<Rgb24>(160, 160);
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
                image[x, y] = new Rgb24((byte)x, (byte)(y + 40), (byte)((x * y) % 256));
        return image;
    }

    [Test]
    public void Values_are_laid_out_channels_first_from_the_pixels()
    {
        using var image = Pattern();
        var buffer = new float[FaceInput.ValuesPerImage + 10];
        ManagedPreprocessing.Fill(image, buffer, 10, PreprocessingMode.Unit);
        Assert.That(buffer[..10], Is.All.EqualTo(0f), "nothing written before the offset");
        const int plane = 160 * 160;
        foreach (var (x, y) in new[] { (0, 0), (17, 3), (159, 159), (80, 121) })
        {
            var p = image[x, y];
            Assert.That(buffer[10 + y * 160 + x], Is.EqualTo(p.R / 255f));
            Assert.That(buffer[10 + plane + y * 160 + x], Is.EqualTo(p.G / 255f));
            Assert.That(buffer[10 + 2 * plane + y * 160 + x], Is.EqualTo(p.B / 255f));
        }
    }

    [Test]
    public void Fixed_is_x_minus_127_5_over_128()
    {
        using var image = Pattern();
        var buffer = new float[FaceInput.ValuesPerImage];
        ManagedPreprocessing.Fill(image, buffer, 0, PreprocessingMode.Fixed);
        Assert.That(buffer[0], Is.EqualTo((0 - 127.5f) / 128f));
        Assert.That(buffer[159], Is.EqualTo((159 - 127.5f) / 128f));
        Assert.That(buffer[160 * 160], Is.EqualTo((40 - 127.5f) / 128f));
    }

    [Test]
    public void Prewhiten_gives_zero_mean_and_unit_population_std_over_the_whole_image()
    {
        using var image = Pattern();
        var buffer = new float[FaceInput.ValuesPerImage];
        ManagedPreprocessing.Fill(image, buffer, 0, PreprocessingMode.Prewhiten);
        double mean = buffer.Average(v => (double)v);
        double std = Math.Sqrt(buffer.Average(v => (v - mean) * (v - mean)));
        Assert.That(mean, Is.EqualTo(0).Within(1e-5));
        Assert.That(std, Is.EqualTo(1).Within(1e-5));
        // And the formula itself at one value.
        var raw = new List<double>();
        image.ProcessPixelRows(a => { for (int y = 0; y < 160; y++) foreach (var p in a.GetRowSpan(y)) { raw.Add(p.R); raw.Add(p.G); raw.Add(p.B); } });
        double m = raw.Average(), s = Math.Sqrt(raw.Average(v => (v - m) * (v - m)));
        Assert.That(buffer[5], Is.EqualTo((5 - m) / s).Within(1e-5));
    }

    [Test]
    public void Prewhiten_of_a_flat_image_divides_by_one_over_sqrt_N_instead_of_zero()
    {
        using var image = new Image<Rgb24>(160, 160, new Rgb24(90, 90, 90));
        var buffer = new float[FaceInput.ValuesPerImage];
        ManagedPreprocessing.Fill(image, buffer, 0, PreprocessingMode.Prewhiten);
        Assert.That(buffer, Is.All.EqualTo(0f));
    }

    [Test]
    public void Other_sizes_are_resized_to_160_with_the_bicubic_resampler()
    {
        using var image = new Image<Rgb24>(64, 48);
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
                image[x, y] = new Rgb24((byte)(x * 4), (byte)(y * 5), 77);
        using var expected = image.Clone(c => c.Resize(new ResizeOptions { Size = new Size(160, 160), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Bicubic }));
        using var nearest = image.Clone(c => c.Resize(new ResizeOptions { Size = new Size(160, 160), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.NearestNeighbor }));
        var buffer = new float[FaceInput.ValuesPerImage];

        ManagedPreprocessing.Fill(image, buffer, 0, PreprocessingMode.Unit);

        Assert.That((image.Width, image.Height), Is.EqualTo((64, 48)), "the caller's image is not modified");
        int differsFromNearest = 0;
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
            {
                Assert.That(buffer[y * 160 + x], Is.EqualTo(expected[x, y].R / 255f), $"R at {x},{y}");
                if (nearest[x, y].R != expected[x, y].R) differsFromNearest++;
            }
        Assert.That(differsFromNearest, Is.GreaterThan(1000), "the check can tell bicubic from nearest-neighbour");
    }
}
