using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Recognition;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>
/// The "Hostile images" rows of docs/errors.md (each test name starts with its row id): cut and corrupted files of
/// every accepted format are refused and never come out as the pixels of the image decoded before them, and
/// decompression bombs and strip images are refused from their headers, before allocating.
/// </summary>
public class HostileImageTests
{
    /// <summary>Every accepted format, and the variants whose containers differ (interlaced PNG, RLE TGA, palette BMP).</summary>
    public static IEnumerable<TestCaseData> Formats()
    {
        yield return new TestCaseData("PNG", new PngEncoder()).SetArgDisplayNames("PNG");
        yield return new TestCaseData("PNG", new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }).SetArgDisplayNames("PNG interlaced");
        yield return new TestCaseData("BMP", new BmpEncoder()).SetArgDisplayNames("BMP 24-bit");
        yield return new TestCaseData("BMP", new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 }).SetArgDisplayNames("BMP 8-bit palette");
        yield return new TestCaseData("GIF", new GifEncoder()).SetArgDisplayNames("GIF");
        yield return new TestCaseData("TGA", new TgaEncoder { Compression = TgaCompression.None }).SetArgDisplayNames("TGA");
        yield return new TestCaseData("TGA", new TgaEncoder { Compression = TgaCompression.RunLength }).SetArgDisplayNames("TGA RLE");
        yield return new TestCaseData("WebP", new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }).SetArgDisplayNames("WebP lossy");
        yield return new TestCaseData("WebP", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }).SetArgDisplayNames("WebP lossless");
        yield return new TestCaseData("JPEG", new JpegEncoder { Quality = 90 }).SetArgDisplayNames("JPEG");
    }

    internal static byte[] Encode(IImageEncoder encoder, int seed, int width = 48, int height = 40)
    {
        using var image = TestImages.Face(seed, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    private static Rgb24[] Pixels(Image<Rgb24> image)
    {
        var pixels = new Rgb24[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return pixels;
    }

    private static Rgb24[] Decode(byte[] bytes, string name)
    {
        using var image = ImageLoader.Load(new MemoryStream(bytes), name);
        return Pixels(image);
    }

    [TestCaseSource(nameof(Formats))]
    public void H01_cut_or_corrupted_files_are_refused_and_never_give_the_previous_images_pixels(string format, IImageEncoder encoder)
    {
        var previous = Encode(encoder, seed: 1);
        var intact = Encode(encoder, seed: 2);
        var previousPixels = Decode(previous, "previous");
        var intactPixels = Decode(intact, "intact");
        Assert.That(intactPixels, Is.Not.EqualTo(previousPixels));

        // Cuts: every length up to 64 bytes, 100 bytes, then 60 lengths spread over the file, and the last byte.
        var lengths = Enumerable.Range(1, 64).Concat([100, intact.Length - 1])
            .Concat(Enumerable.Range(1, 60).Select(i => (int)((long)intact.Length * i / 61)))
            .Where(n => n > 0 && n < intact.Length).Distinct().Order().ToList();
        int refused = 0;
        foreach (int length in lengths)
        {
            Decode(previous, "previous");
            try
            {
                var pixels = Decode(intact[..length], $"cut-{length}");
                // Accepted only when nothing the pixels need was cut (a trailer after the image data).
                Assert.That(pixels, Is.EqualTo(intactPixels), $"{format} cut to {length} of {intact.Length} bytes was decoded in part");
            }
            catch (ImageLoadException e)
            {
                Assert.That(e.Message, Does.Contain($"'cut-{length}'"));
                refused++;
            }
        }
        TestContext.Out.WriteLine($"{format}: {refused} of {lengths.Count} cuts refused, the rest decode to the intact pixels");
        Assert.That(refused, Is.GreaterThanOrEqualTo(lengths.Count - 1), "every cut that loses image data is refused");

        // Corruptions: one to four bytes changed at seeded places; refused, or pixels that are not the previous image's.
        var random = new Random(19);
        int corruptRefused = 0;
        for (int trial = 0; trial < 150; trial++)
        {
            var bytes = (byte[])intact.Clone();
            int changes = random.Next(1, 5);
            for (int k = 0; k < changes; k++) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            Decode(previous, "previous");
            Rgb24[] pixels;
            try
            {
                pixels = Decode(bytes, $"corrupt-{trial}");
            }
            catch (ImageLoadException e)
            {
                Assert.That(e.Message, Does.Contain($"'corrupt-{trial}'"));
                corruptRefused++;
                continue;
            }
            if (pixels.Length != previousPixels.Length) continue;
            int same = pixels.Where((p, i) => p.Equals(previousPixels[i])).Count();
            Assert.That(same, Is.LessThan(pixels.Length / 4), $"{format} corruption {trial} came out as the previous image's pixels");
        }
        TestContext.Out.WriteLine($"{format}: {corruptRefused} of 150 corruptions refused, none decoded to the previous image");
    }

    [Test]
    public void H02_the_decoder_never_reuses_a_buffer_it_handed_out_before()
    {
        var allocator = ImageLoader.DecoderConfiguration.Value.MemoryAllocator;
        for (int i = 0; i < 20; i++)
        {
            using var first = allocator.Allocate<byte>(1 << 20);
            first.Memory.Span.Fill(0xAB);
        }
        using var next = allocator.Allocate<byte>(1 << 20);
        Assert.That(next.Memory.Span.IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "a new buffer is all zeros");
    }

    [TestCase("PNG", "cut.png", "PNG image '{0}' is corrupt or truncated: it ends inside its IDAT chunk (")]
    [TestCase("BMP", "cut.bmp", "BMP image '{0}' is corrupt or truncated: its pixel data needs 5760 bytes from offset 54, but the file has")]
    [TestCase("GIF", "cut.gif", "GIF image '{0}' is corrupt or truncated: an image's LZW data ends after ")]
    [TestCase("TGA", "cut.tga", "TGA image '{0}' is corrupt or truncated: its pixel data needs 5760 bytes from offset 18, but the file has")]
    [TestCase("WebP", "cut.webp", "WebP image '{0}' is corrupt or truncated: its RIFF container declares")]
    public void H03_a_cut_file_of_each_format_is_refused_naming_the_file(string format, string fileName, string expected)
    {
        IImageEncoder encoder = format switch
        {
            "PNG" => new PngEncoder(),
            "BMP" => new BmpEncoder(),
            "GIF" => new GifEncoder(),
            "TGA" => new TgaEncoder { Compression = TgaCompression.None },
            _ => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        };
        using var folder = new TempFolder();
        var path = folder.File(fileName);
        var bytes = Encode(encoder, seed: 3);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.StartWith(string.Format(expected, path)));
        Assert.That(e.SourceName, Is.EqualTo(path));
    }

    /// <summary>A valid 48x40 PNG with one more chunk inserted after IHDR.</summary>
    internal static byte[] PngWithChunk(string type, byte[] data)
    {
        var png = Encode(new PngEncoder(), seed: 4);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return [.. png[..33], .. chunk, .. png[33..]];
    }

    /// <summary>zlib data of 1 GiB of zeros (about 1 MB), made once: deflating takes a few seconds.</summary>
    private static readonly Lazy<byte[]> GibibyteOfZeros = new(() => DeflatedZeros(1L << 30));

    /// <summary>zlib data of <paramref name="bytes"/> zeros (about 1,000 times smaller).</summary>
    internal static byte[] DeflatedZeros(long bytes)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (long left = bytes; left > 0; left -= zeros.Length) zlib.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        return output.ToArray();
    }

    [TestCase("zTXt")]
    [TestCase("iCCP")]
    [TestCase("iTXt")]
    public void H04_a_PNG_with_1_GiB_of_compressed_metadata_is_refused_within_a_second_without_allocating_it(string type)
    {
        byte[] prefix = type == "iTXt" ? [.. "Comment"u8, 0, 1, 0, .. "en"u8, 0, 0] : [.. "Comment"u8, 0, 0];
        var bytes = PngWithChunk(type, [.. prefix, .. GibibyteOfZeros.Value]);
        using var folder = new TempFolder();
        var path = folder.File("bomb.png");
        File.WriteAllBytes(path, bytes);

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        TestContext.Out.WriteLine($"{type}: a {bytes.Length:N0}-byte file inflating to 1 GiB refused in {clock.Elapsed.TotalMilliseconds:0} ms, {allocated:N0} bytes allocated");
        Assert.That(e!.Message, Is.EqualTo($"PNG image '{path}' carries more than 4194304 bytes of metadata (its {type} chunks): refused as a metadata bomb; raise ImageLoadOptions.MaxMetadataBytes to accept it."));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "refused within a second (5 s allowed for slow CI machines)");
        Assert.That(allocated, Is.LessThan(2_000_000), "the metadata is counted, not stored");
    }

    [Test]
    public void H04b_metadata_within_the_budget_is_accepted_and_the_budget_is_configurable()
    {
        var bytes = PngWithChunk("zTXt", [.. "Comment"u8, 0, 0, .. DeflatedZeros(100_000)]);
        using (var image = ImageLoader.Load(new MemoryStream(bytes), "ok")) Assert.That(image.Width, Is.EqualTo(48));
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes), "small", new ImageLoadOptions { MaxMetadataBytes = 50_000 }));
        Assert.That(e!.Message, Does.StartWith("PNG image 'small' carries more than 50000 bytes of metadata"));
    }

    [TestCase(2, 20_000_000)]
    [TestCase(20_000_000, 2)]
    public void H05_a_strip_image_is_refused_from_its_header_before_allocating(int width, int height)
    {
        var bytes = Encode(new PngEncoder(), seed: 5);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes), "strip.png"));

        Assert.That(e!.Message, Is.EqualTo($"Image 'strip.png' is {width}x{height} pixels: a side longer than 65535 pixels is refused (ImageLoadOptions.MaxSideLength), whatever the pixel budget."));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, Is.LessThan(1_000_000), "no pixel buffer was allocated");
    }

    [Test]
    public void H05b_a_GIF_frame_larger_than_its_small_screen_is_refused_from_its_descriptor_before_allocating()
    {
        // A 48x40 GIF whose first image descriptor claims 65535 x 65535 (4.3 gigapixels) on the 48x40 screen.
        var bytes = Encode(new GifEncoder(), seed: 5);
        int descriptor = 13 + ((bytes[10] & 0x80) != 0 ? 3 << ((bytes[10] & 7) + 1) : 0);
        while (bytes[descriptor] == 0x21)          // extensions: introducer, label, sub-blocks
        {
            descriptor += 2;
            while (bytes[descriptor] != 0) descriptor += bytes[descriptor] + 1;
            descriptor++;
        }
        Assert.That(bytes[descriptor], Is.EqualTo(0x2C), "the first image descriptor");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(descriptor + 5), 65535);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(descriptor + 7), 65535);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes), "frame.gif"));

        Assert.That(e!.Message, Is.EqualTo("Image 'frame.gif' is 65535x65535 pixels (4294.8 MP), over the limit of 40000000 pixels; raise ImageLoadOptions.MaxPixels to accept it."));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, Is.LessThan(1_000_000), "no index buffer was allocated");
    }

    [Test]
    public void H06_a_PNG_whose_pixel_data_inflates_short_is_refused()
    {
        // A complete, CRC-correct PNG whose single IDAT holds too few rows: ImageSharp alone decodes it with blank rows.
        var png = Encode(new PngEncoder(), seed: 6);
        var rows = DeflatedZeros(10 * (1 + 48 * 3));
        var idat = new byte[12 + rows.Length];
        BinaryPrimitives.WriteUInt32BigEndian(idat, (uint)rows.Length);
        "IDAT"u8.CopyTo(idat.AsSpan(4));
        rows.CopyTo(idat, 8);
        BinaryPrimitives.WriteUInt32BigEndian(idat.AsSpan(8 + rows.Length), Crc32(idat.AsSpan(4, 4 + rows.Length)));
        byte[] bytes = [.. png[..33], .. idat, 0, 0, 0, 0, .. "IEND"u8, 0xAE, 0x42, 0x60, 0x82];

        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes), "short.png"));
        TestContext.Out.WriteLine(e!.Message);

        Assert.That(e!.Message, Is.EqualTo("PNG image 'short.png' is corrupt or truncated: its pixel data (IDAT) ends after 1450 of the 5800 bytes its header needs."));
    }

    [Test]
    public void H06b_a_PNG_whose_pixel_data_inflates_to_a_gigabyte_more_than_needed_is_decoded_without_inflating_the_rest()
    {
        // 40 rows of 48 grey pixels (filter byte 0, zeros), then nearly 1 GiB more zeros in the same zlib stream.
        var png = Encode(new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 }, seed: 6);
        var rows = GibibyteOfZeros.Value;
        var idat = new byte[12 + rows.Length];
        BinaryPrimitives.WriteUInt32BigEndian(idat, (uint)rows.Length);
        "IDAT"u8.CopyTo(idat.AsSpan(4));
        rows.CopyTo(idat, 8);
        BinaryPrimitives.WriteUInt32BigEndian(idat.AsSpan(8 + rows.Length), Crc32(idat.AsSpan(4, 4 + rows.Length)));
        byte[] bytes = [.. png[..33], .. idat, 0, 0, 0, 0, .. "IEND"u8, 0xAE, 0x42, 0x60, 0x82];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        using var image = ImageLoader.Load(new MemoryStream(bytes), "long.png");

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        TestContext.Out.WriteLine($"a {bytes.Length:N0}-byte PNG whose IDAT inflates to 1 GiB: decoded in {clock.Elapsed.TotalMilliseconds:0} ms, {allocated:N0} bytes allocated");
        Assert.That(image[5, 5], Is.EqualTo(new Rgb24(0, 0, 0)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(allocated, Is.LessThan(20_000_000));
    }

    [Test]
    public void H07_a_changed_byte_in_a_PNG_chunk_fails_its_CRC()
    {
        var bytes = Encode(new PngEncoder(), seed: 7);
        int idat = bytes.AsSpan().IndexOf("IDAT"u8);
        bytes[idat + 20] ^= 0x10;
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes), "flipped.png"));
        Assert.That(e!.Message, Is.EqualTo("PNG image 'flipped.png' is corrupt or truncated: the CRC of its IDAT chunk does not match its content."));
    }

    [TestCaseSource(nameof(Formats))]
    public void H08_intact_files_of_every_variant_are_accepted_with_their_pixels(string format, IImageEncoder encoder)
    {
        using var source = TestImages.Face(8, 48, 40);
        var pixels = Decode(Encode(encoder, seed: 8), "intact");
        var expected = Pixels(source);
        bool lossy = format is "JPEG" or "GIF" || encoder is WebpEncoder { FileFormat: WebpFileFormatType.Lossy }
            || encoder is BmpEncoder { BitsPerPixel: BmpBitsPerPixel.Pixel8 };
        double meanError = pixels.Select((p, i) => (Math.Abs(p.R - expected[i].R) + Math.Abs(p.G - expected[i].G) + Math.Abs(p.B - expected[i].B)) / 3.0).Average();
        Assert.That(meanError, Is.LessThanOrEqualTo(lossy ? 8.0 : 0.0), $"{format} decodes to its source");
    }

    /// <summary>A 4x2 RLE8 BMP: the bottom row white, white, black, black; the top row white; then end of bitmap.</summary>
    private static byte[] Rle8Bmp()
    {
        byte[] data = [2, 1, 2, 0, 0, 0, 4, 1, 0, 1];
        var header = new byte[14 + 40 + 8];
        "BM"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(2), header.Length + data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(10), header.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(18), 4);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(22), 2);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(28), 8);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(30), 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(34), data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(46), 2);
        header.AsSpan(58, 3).Fill(255);
        return [.. header, .. data];
    }

    [Test]
    public void H08b_an_RLE8_BMP_is_accepted_whole_and_refused_without_its_end_of_bitmap_marker()
    {
        var bytes = Rle8Bmp();
        using (var image = ImageLoader.Load(new MemoryStream(bytes), "rle.bmp"))
        {
            Assert.That((image.Width, image.Height), Is.EqualTo((4, 2)));
            Assert.That(image[0, 0], Is.EqualTo(new Rgb24(255, 255, 255)));
            Assert.That(image[0, 1], Is.EqualTo(new Rgb24(255, 255, 255)));
            Assert.That(image[3, 1], Is.EqualTo(new Rgb24(0, 0, 0)));
        }
        var e = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(new MemoryStream(bytes[..^2]), "rle-cut.bmp"));
        Assert.That(e!.Message, Is.EqualTo("BMP image 'rle-cut.bmp' is corrupt or truncated: its run-length data ends before the end-of-bitmap marker."));
    }

    internal static uint Crc32(ReadOnlySpan<byte> data)
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
