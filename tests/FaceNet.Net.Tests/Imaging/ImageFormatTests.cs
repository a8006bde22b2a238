using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

public class ImageFormatTests
{
    /// <summary>Four flat 8x8 quadrants (red, green, blue, grey) on a 16x16 image: survives lossy codecs at the quadrant centres.</summary>
    private static Image<Rgb24> Quadrants()
    {
        var image = new Image<Rgb24>(16, 16);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                image[x, y] = (x < 8, y < 8) switch
                {
                    (true, true) => new Rgb24(200, 30, 40),
                    (false, true) => new Rgb24(20, 180, 60),
                    (true, false) => new Rgb24(30, 50, 210),
                    _ => new Rgb24(128, 128, 128),
                };
        return image;
    }

    private static readonly (int X, int Y, Rgb24 Colour)[] Centres =
        [(3, 3, new Rgb24(200, 30, 40)), (12, 3, new Rgb24(20, 180, 60)), (3, 12, new Rgb24(30, 50, 210)), (12, 12, new Rgb24(128, 128, 128))];

    private static IEnumerable<TestCaseData> Encoders()
    {
        yield return new TestCaseData(new PngEncoder(), 0).SetArgDisplayNames("PNG");
        yield return new TestCaseData(new BmpEncoder(), 0).SetArgDisplayNames("BMP");
        yield return new TestCaseData(new TgaEncoder(), 0).SetArgDisplayNames("TGA");
        yield return new TestCaseData(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }, 0).SetArgDisplayNames("WebP lossless");
        yield return new TestCaseData(new GifEncoder(), 0).SetArgDisplayNames("GIF");
        yield return new TestCaseData(new JpegEncoder { Quality = 95 }, 8).SetArgDisplayNames("JPEG");
        yield return new TestCaseData(new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 95 }, 12).SetArgDisplayNames("WebP lossy");
    }

    [TestCaseSource(nameof(Encoders))]
    public void Each_format_decodes_to_the_right_RGB_values(IImageEncoder encoder, int tolerance)
    {
        using var stream = new MemoryStream();
        using (var source = Quadrants()) source.Save(stream, encoder);
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream, "generated");

        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((16, 16)));
        foreach (var (x, y, colour) in Centres)
        {
            var p = decoded[x, y];
            Assert.That((int)p.R, Is.EqualTo((int)colour.R).Within(tolerance), $"R at {x},{y}");
            Assert.That((int)p.G, Is.EqualTo((int)colour.G).Within(tolerance), $"G at {x},{y}");
            Assert.That((int)p.B, Is.EqualTo((int)colour.B).Within(tolerance), $"B at {x},{y}");
        }
    }

    [Test]
    public void Grayscale_becomes_equal_RGB_channels()
    {
        using var gray = new Image<L8>(4, 2);
        for (int x = 0; x < 4; x++) { gray[x, 0] = new L8((byte)(x * 60)); gray[x, 1] = new L8(255); }
        using var stream = new MemoryStream();
        gray.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Grayscale });
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        for (int x = 0; x < 4; x++)
            Assert.That(decoded[x, 0], Is.EqualTo(new Rgb24((byte)(x * 60), (byte)(x * 60), (byte)(x * 60))));
        Assert.That(decoded[0, 1], Is.EqualTo(new Rgb24(255, 255, 255)));
    }

    [Test]
    public void Alpha_is_composited_onto_black()
    {
        using var rgba = new Image<Rgba32>(3, 1);
        rgba[0, 0] = new Rgba32(200, 100, 50, 255);
        rgba[1, 0] = new Rgba32(200, 100, 50, 0);
        rgba[2, 0] = new Rgba32(200, 100, 50, 128);
        using var stream = new MemoryStream();
        rgba.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        Assert.That(decoded[0, 0], Is.EqualTo(new Rgb24(200, 100, 50)));
        Assert.That(decoded[1, 0], Is.EqualTo(new Rgb24(0, 0, 0)));
        Assert.That(decoded[2, 0], Is.EqualTo(new Rgb24((byte)Math.Round(200 * 128 / 255.0), (byte)Math.Round(100 * 128 / 255.0), (byte)Math.Round(50 * 128 / 255.0))));
    }

    [Test]
    public void Sixteen_bit_PNG_is_rounded_to_8_bits()
    {
        using var deep = new Image<Rgba64>(2, 1);
        deep[0, 0] = new Rgba64(257 * 10, 257 * 20, 257 * 250, ushort.MaxValue);
        deep[1, 0] = new Rgba64(65535, 0, 32896, ushort.MaxValue);
        using var stream = new MemoryStream();
        deep.SaveAsPng(stream, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.RgbWithAlpha });
        stream.Position = 0;
        var info = Image.Identify(stream);
        Assert.That(info.PixelType.BitsPerPixel, Is.EqualTo(64), "the file really is 16 bits per channel");
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        Assert.That(decoded[0, 0], Is.EqualTo(new Rgb24(10, 20, 250)));
        Assert.That(decoded[1, 0], Is.EqualTo(new Rgb24(255, 0, 128)));
    }

    [Test]
    public void EXIF_orientation_6_is_applied_so_the_image_comes_out_upright()
    {
        // 40 wide x 20 high, left half red, right half blue; tagged "rotate 90° clockwise to display".
        using var image = new Image<Rgb24>(40, 20);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 40; x++)
                image[x, y] = x < 20 ? new Rgb24(220, 20, 20) : new Rgb24(20, 20, 220);
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 95 });
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((20, 40)), "width and height swapped");
        // Rotating 90° clockwise puts the stored left (red) half on top.
        Assert.That(decoded[10, 5].R, Is.GreaterThan(180));
        Assert.That(decoded[10, 5].B, Is.LessThan(60));
        Assert.That(decoded[10, 35].B, Is.GreaterThan(180));
    }

    [Test]
    public void CMYK_JPEG_is_converted_to_RGB()
    {
        using var stream = new MemoryStream();
        using (var source = Quadrants())
        {
            try
            {
                source.SaveAsJpeg(stream, new JpegEncoder { ColorType = JpegColorType.Cmyk, Quality = 95 });
            }
            catch (Exception e) when (e is NotSupportedException or NotImplementedException or ArgumentException)
            {
                Assert.Ignore($"ImageSharp 2.1 cannot encode CMYK JPEG here: {e.Message}");
            }
        }
        int components = FrameComponents(stream.ToArray());
        if (components != 4)
            Assert.Ignore($"ImageSharp 2.1.13's JpegEncoder wrote {components} colour components for JpegColorType.Cmyk (it cannot encode CMYK); nothing CMYK to decode.");
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        foreach (var (x, y, colour) in Centres)
        {
            var p = decoded[x, y];
            Assert.That((int)p.R, Is.EqualTo((int)colour.R).Within(12), $"R at {x},{y}");
            Assert.That((int)p.G, Is.EqualTo((int)colour.G).Within(12), $"G at {x},{y}");
            Assert.That((int)p.B, Is.EqualTo((int)colour.B).Within(12), $"B at {x},{y}");
        }
    }

    /// <summary>The component count of the JPEG's first start-of-frame segment (SOF0..SOF2).</summary>
    private static int FrameComponents(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return jpeg[i + 9];
        return -1;
    }

    [Test]
    public void Only_the_first_frame_of_an_animated_GIF_is_decoded()
    {
        using var gif = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 0));
        using var second = new Image<Rgb24>(4, 4, new Rgb24(0, 0, 255));
        gif.Frames.AddFrame(second.Frames.RootFrame);
        using var stream = new MemoryStream();
        gif.SaveAsGif(stream);
        stream.Position = 0;

        using var decoded = ImageLoader.Load(stream);

        Assert.That(decoded.Frames.Count, Is.EqualTo(1));
        Assert.That(decoded[1, 1], Is.EqualTo(new Rgb24(255, 0, 0)));
    }
}
