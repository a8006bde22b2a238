using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Recognition;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>The image-file rows of docs/errors.md; each test name starts with its row id.</summary>
public class ImageErrorTests
{
    private static byte[] Png(int width = 40, int height = 30)
    {
        using var image = TestImages.Face(3, width, height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static byte[] Jpeg()
    {
        using var image = TestImages.Face(3, 64, 64);
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }

    private static ImageLoadException Fails(string path)
    {
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path).Dispose());
        Assert.That(e!.SourceName, Is.EqualTo(path));
        Assert.That(e.Message, Does.Contain($"'{path}'"), "the message names the file");
        Assert.That(e, Is.InstanceOf<FaceNetException>());
        return e;
    }

    [Test]
    public void I01_empty_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("empty.jpg");
        File.WriteAllBytes(path, []);
        Assert.That(Fails(path).Message, Is.EqualTo($"Image file '{path}' is empty (0 bytes)."));
    }

    [Test]
    public void I02_random_bytes()
    {
        using var folder = new TempFolder();
        var path = folder.File("noise.jpg");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        Assert.That(Fails(path).Message, Is.EqualTo($"'{path}' is not an image in a supported format (JPEG, PNG, BMP, GIF, TGA, WebP)."));
    }

    [Test]
    public void I03_truncated_PNG()
    {
        using var folder = new TempFolder();
        var path = folder.File("cut.png");
        var bytes = Png();
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.That(Fails(path).Message, Does.StartWith($"PNG image '{path}' is corrupt or truncated: "));
    }

    [Test]
    public void I04_truncated_JPEG()
    {
        using var folder = new TempFolder();
        var path = folder.File("cut.jpg");
        var bytes = Jpeg();
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.That(Fails(path).Message, Is.EqualTo($"JPEG image '{path}' is corrupt or truncated: it ends before its end-of-image marker."));
    }

    [Test]
    public void I04b_bytes_after_the_JPEG_end_marker_are_accepted()
    {
        using var folder = new TempFolder();
        var path = folder.File("appended.jpg");
        File.WriteAllBytes(path, [.. Jpeg(), .. "trailing data some cameras append"u8.ToArray()]);
        using var image = ImageLoader.Load(path);
        Assert.That(image.Width, Is.EqualTo(64));
    }

    [Test]
    public void I05_text_file_named_png()
    {
        using var folder = new TempFolder();
        var path = folder.File("notes.png");
        File.WriteAllText(path, "These are my notes, not a picture.\n");
        Assert.That(Fails(path).Message, Is.EqualTo($"'{path}' is not an image in a supported format (JPEG, PNG, BMP, GIF, TGA, WebP)."));
    }

    [Test]
    public void I06_huge_dimensions_in_the_header_are_refused_before_decoding()
    {
        using var folder = new TempFolder();
        var path = folder.File("huge.png");
        // A valid 40x30 PNG whose IHDR claims 100000 x 100000 (CRC fixed so the header is valid).
        var bytes = Png();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        File.WriteAllBytes(path, bytes);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var e = Fails(path);

        Assert.That(e.Message, Is.EqualTo($"Image '{path}' is 100000x100000 pixels (10000 MP), over the limit of 40000000 pixels; raise ImageLoadOptions.MaxPixels to accept it."));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, Is.LessThan(50_000_000), "no pixel buffer was allocated");
    }

    [Test]
    public void I06b_the_pixel_limit_is_configurable()
    {
        using var folder = new TempFolder();
        var path = folder.File("small.png");
        File.WriteAllBytes(path, Png(40, 30));
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path, new ImageLoadOptions { MaxPixels = 1000 }));
        Assert.That(e!.Message, Is.EqualTo($"Image '{path}' is 40x30 pixels (0 MP), over the limit of 1000 pixels; raise ImageLoadOptions.MaxPixels to accept it."));
        using var ok = ImageLoader.Load(path, new ImageLoadOptions { MaxPixels = 1200 });
        Assert.That(ok.Width, Is.EqualTo(40));
    }

    [Test]
    public void I07_missing_path()
    {
        using var folder = new TempFolder();
        var path = folder.File("nobody.jpg");
        var e = Fails(path);
        Assert.That(e.Message, Is.EqualTo($"Image file '{path}' does not exist."));
        Assert.That(e.InnerException, Is.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void I08_directory_instead_of_file()
    {
        using var folder = new TempFolder();
        Assert.That(Fails(folder.Path).Message, Is.EqualTo($"'{folder.Path}' is a directory, not an image file."));
    }

    [Test]
    public void I09_null_or_empty_path()
    {
        Assert.That(() => ImageLoader.Load((string)null!), Throws.ArgumentNullException);
        Assert.That(() => ImageLoader.Load(""), Throws.ArgumentException.With.Property("ParamName").EqualTo("path"));
    }

    [Test]
    public void I10_the_encoder_reports_bad_files_the_same_way_and_stays_usable()
    {
        using var folder = new TempFolder();
        var path = folder.File("notes.png");
        File.WriteAllText(path, "text");
        using var encoder = new Embeddings.FaceEncoder(new TestEmbeddingNetwork());
        Assert.Throws<ImageLoadException>(() => encoder.Encode(path));
        Assert.Throws<ImageLoadException>(() => encoder.EncodeBatch([path]));
        using var image = TestImages.Face(1);
        Assert.That(encoder.Encode(image).Dimension, Is.EqualTo(128));
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
