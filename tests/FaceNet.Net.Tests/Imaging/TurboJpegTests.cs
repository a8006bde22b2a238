using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>JPEGs through libjpeg-turbo (Pillow's decoder) where the system has it, ImageSharp otherwise.</summary>
public class TurboJpegTests
{
    private static byte[] Jpeg(int width, int height, int seed)
    {
        // Smooth colours (as in photos): the decoders' chroma upsampling then differs by a level or two, not by the noise.
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + 2 * y + seed) * 255 / (width + 2 * height + seed)));
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }

    [Test]
    public void The_loader_decodes_jpegs_with_libjpeg_turbo_and_close_to_imagesharp()
    {
        Assume.That(TurboJpeg.IsAvailable, Is.True, "libturbojpeg.so.0 is not installed (Debian/Ubuntu: apt-get install libturbojpeg0)");
        var bytes = Jpeg(64, 48, seed: 3);
        using var turbo = TurboJpeg.TryDecode(bytes, 64, 48, SixLabors.ImageSharp.Configuration.Default);
        Assert.That(turbo, Is.Not.Null);
        using var loaded = ImageLoader.Load(new MemoryStream(bytes), "test.jpg");
        using var sharp = Image.Load<Rgb24>(bytes);
        int differentFromTurbo = 0, maxFromSharp = 0;
        for (int y = 0; y < 48; y++)
            for (int x = 0; x < 64; x++)
            {
                if (!loaded[x, y].Equals(turbo![x, y])) differentFromTurbo++;
                var a = loaded[x, y];
                var b = sharp[x, y];
                maxFromSharp = Math.Max(maxFromSharp, Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B))));
            }
        Assert.Multiple(() =>
        {
            Assert.That(differentFromTurbo, Is.Zero, "the loader's pixels are libjpeg-turbo's");
            Assert.That(maxFromSharp, Is.LessThanOrEqualTo(8), "the two decoders agree to a few levels");
        });
    }

    [Test]
    public void A_size_that_differs_from_the_header_or_garbage_gives_null_so_the_caller_falls_back()
    {
        Assume.That(TurboJpeg.IsAvailable, Is.True, "libturbojpeg.so.0 is not installed (Debian/Ubuntu: apt-get install libturbojpeg0)");
        var bytes = Jpeg(32, 32, seed: 4);
        Assert.Multiple(() =>
        {
            Assert.That(TurboJpeg.TryDecode(bytes, 31, 32, SixLabors.ImageSharp.Configuration.Default), Is.Null);
            Assert.That(TurboJpeg.TryDecode(new byte[] { 1, 2, 3, 4 }, 2, 2, SixLabors.ImageSharp.Configuration.Default), Is.Null);
            Assert.That(TurboJpeg.TryDecode(ReadOnlySpan<byte>.Empty, 1, 1, SixLabors.ImageSharp.Configuration.Default), Is.Null);
        });
    }
}
