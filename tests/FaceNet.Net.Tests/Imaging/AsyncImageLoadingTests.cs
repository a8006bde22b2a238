using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Recognition;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

/// <summary><see cref="ImageLoader.LoadAsync(string, ImageLoadOptions?, CancellationToken)"/> and its stream form: the same pixels as Load, the same refusals, cancellation.</summary>
public class AsyncImageLoadingTests
{
    [Test]
    public async Task A_file_and_a_stream_load_to_the_same_pixels_as_Load()
    {
        using var folder = new TempFolder();
        var path = TestImages.WriteFaces(folder.Path, 1, firstSeed: 11)[0];
        using var expected = ImageLoader.Load(path);
        using var fromFile = await ImageLoader.LoadAsync(path);
        await using var stream = File.OpenRead(path);
        using var fromStream = await ImageLoader.LoadAsync(stream, "face");
        Assert.That(Pixels(fromFile), Is.EqualTo(Pixels(expected)));
        Assert.That(Pixels(fromStream), Is.EqualTo(Pixels(expected)));
    }

    [Test]
    public async Task Missing_empty_and_oversized_inputs_are_ImageLoadExceptions_and_cancellation_is_honoured()
    {
        using var folder = new TempFolder();
        var empty = folder.File("empty.png");
        await File.WriteAllBytesAsync(empty, []);
        var path = TestImages.WriteFaces(folder.Path, 1)[0];

        Assert.That(async () => await ImageLoader.LoadAsync(folder.File("missing.png")), Throws.InstanceOf<ImageLoadException>().With.Message.Contains("does not exist"));
        Assert.That(async () => await ImageLoader.LoadAsync(empty), Throws.InstanceOf<ImageLoadException>().With.Message.Contains("empty"));
        Assert.That(async () => await ImageLoader.LoadAsync(folder.Path), Throws.InstanceOf<ImageLoadException>().With.Message.Contains("directory"));
        Assert.That(async () => await ImageLoader.LoadAsync(new MemoryStream(new byte[5000]), "upload", new ImageLoadOptions { MaxStreamBytes = 4096 }),
            Throws.InstanceOf<ImageLoadException>().With.Message.Contains("longer than 4096 bytes"));
        Assert.That(async () => await ImageLoader.LoadAsync(path, cancellationToken: new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
    }

    private static byte[] Pixels(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }
}
