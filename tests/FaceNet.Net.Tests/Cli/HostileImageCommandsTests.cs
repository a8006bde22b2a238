using System.CommandLine;
using FaceNet.Net.Cli;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Tests.Imaging;
using FaceNet.Net.Tests.Recognition;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// The command-line rows of "Hostile images" in docs/errors.md: a face compared with its own first 100 bytes, and a
/// cut file of each format, exit 2 with the <see cref="FaceNet.Net.Imaging.ImageLoadException"/> message (the
/// test network stands in for real weights, as in <see cref="RecognitionCommandsTests"/>). Console output is
/// captured, so these tests do not run in parallel.
/// </summary>
[NonParallelizable]
public class HostileImageCommandsTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => InProcessCli.Run(InProcessCli.TestFactory, args);

    private static IEnumerable<TestCaseData> Formats()
    {
        yield return new TestCaseData("WebP", "webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }).SetArgDisplayNames("WebP lossy");
        yield return new TestCaseData("WebP", "webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }).SetArgDisplayNames("WebP lossless");
        yield return new TestCaseData("PNG", "png", new PngEncoder()).SetArgDisplayNames("PNG");
        yield return new TestCaseData("BMP", "bmp", new BmpEncoder()).SetArgDisplayNames("BMP");
        yield return new TestCaseData("GIF", "gif", new GifEncoder()).SetArgDisplayNames("GIF");
        yield return new TestCaseData("TGA", "tga", new TgaEncoder()).SetArgDisplayNames("TGA");
        yield return new TestCaseData("JPEG", "jpg", new JpegEncoder()).SetArgDisplayNames("JPEG");
    }

    [TestCaseSource(nameof(Formats))]
    public void H09_verify_of_a_face_against_its_own_first_100_bytes_exits_2(string format, string extension, IImageEncoder encoder)
    {
        using var folder = new TempFolder();
        var weights = folder.File("net.weights");
        File.WriteAllText(weights, "1");
        var face = folder.File($"face.{extension}");
        var bytes = HostileImageTests.Encode(encoder, seed: 11, width: 160, height: 160);
        File.WriteAllBytes(face, bytes);
        var prefix = folder.File($"face_first_100_bytes.{extension}");
        File.WriteAllBytes(prefix, bytes[..100]);
        Assert.That(Run("verify", face, face, "--weights", weights, "--json").Exit, Is.EqualTo(0), "the whole face verifies");

        var result = Run("verify", face, prefix, "--weights", weights, "--json");

        Assert.That(result.Exit, Is.EqualTo(2), result.Out);
        Assert.That(result.Out, Is.Empty, "no verdict is printed");
        var lines = result.Err.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), result.Err);
        Assert.That(lines[0], Does.StartWith($"facenet: {format} image '{prefix}' is corrupt or truncated: "));
    }

    [TestCaseSource(nameof(Formats))]
    public void H10_a_cut_file_of_each_format_exits_2_with_the_ImageLoadException_message(string format, string extension, IImageEncoder encoder)
    {
        using var folder = new TempFolder();
        var weights = folder.File("net.weights");
        File.WriteAllText(weights, "1");
        var bytes = HostileImageTests.Encode(encoder, seed: 12, width: 160, height: 160);
        var cut = folder.File($"cut.{extension}");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 9 / 10)]);
        string expected;
        try
        {
            FaceNet.Net.Imaging.ImageLoader.Load(cut).Dispose();
            Assert.Fail($"the cut {format} file was accepted");
            return;
        }
        catch (FaceNet.Net.Imaging.ImageLoadException e)
        {
            expected = e.Message;
        }

        var result = Run("verify", cut, cut, "--weights", weights, "--aligned");

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Err.Trim(), Is.EqualTo($"facenet: {expected}"));
        Assert.That(expected, Does.StartWith($"{format} image '{cut}' is corrupt or truncated: "));
    }
}
