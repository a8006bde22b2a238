using System.CommandLine;
using System.Globalization;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Recognition;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using TempFolder = FaceNet.Net.Tests.Weights.Support.TempFolder;

namespace FaceNet.Net.Tests.Reliability;

/// <summary>
/// The repository's fuzz target (issue 19): seeded mutations (truncations, bit flips, byte overwrites) of images of
/// each accepted format, of weight files (Keras .h5, safetensors, both torch.save formats), of galleries, and random
/// command lines. Every case must end within its time limit with a result or the library's own exception (a
/// <see cref="FaceNetException"/>), the command line with exit code 0 or 2, never 1; and nothing may leave a
/// temporary file. A failing case's message gives its seed, class and mutation, so it can be replayed alone.
/// The run settings <c>FuzzSeed</c> and <c>FuzzCases</c> (cases per class and format) choose the run: see docs/fuzzing.md.
/// </summary>
[Category(TestCategories.Fuzz)]
[NonParallelizable]
public class FuzzTests
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(20);

    private static int Seed => int.Parse(TestContext.Parameters.Get("FuzzSeed", "1"), CultureInfo.InvariantCulture);

    private static int Cases => int.Parse(TestContext.Parameters.Get("FuzzCases", "150"), CultureInfo.InvariantCulture);

    private TempFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new TempFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    public static IEnumerable<TestCaseData> ImageFormats()
    {
        yield return new TestCaseData("png", (Func<IImageEncoder>)(() => new PngEncoder())).SetArgDisplayNames("png");
        yield return new TestCaseData("jpg", (Func<IImageEncoder>)(() => new JpegEncoder())).SetArgDisplayNames("jpg");
        yield return new TestCaseData("bmp", (Func<IImageEncoder>)(() => new BmpEncoder())).SetArgDisplayNames("bmp");
        yield return new TestCaseData("gif", (Func<IImageEncoder>)(() => new GifEncoder())).SetArgDisplayNames("gif");
        yield return new TestCaseData("webp", (Func<IImageEncoder>)(() => new WebpEncoder { FileFormat = WebpFileFormatType.Lossy })).SetArgDisplayNames("webp");
        yield return new TestCaseData("webp-lossless", (Func<IImageEncoder>)(() => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless })).SetArgDisplayNames("webp-lossless");
        yield return new TestCaseData("tga", (Func<IImageEncoder>)(() => new TgaEncoder())).SetArgDisplayNames("tga");
    }

    [TestCaseSource(nameof(ImageFormats))]
    public void R14_mutated_images_load_or_fail_with_ImageLoadException(string format, Func<IImageEncoder> encoder)
    {
        using var image = TestImages.Face(3, 64, 48);
        using var buffer = new MemoryStream();
        image.Save(buffer, encoder());
        var original = buffer.ToArray();
        RunCases($"image-{format}", original, (bytes, name) =>
        {
            using var stream = new MemoryStream(bytes);
            using var decoded = ImageLoader.Load(stream, name);
        });
    }

    public static IEnumerable<TestCaseData> WeightFormats()
    {
        yield return new TestCaseData("h5", (Action<string>)(path => SmallFiles.WriteSmallKeras(path))).SetArgDisplayNames("h5");
        yield return new TestCaseData("safetensors", (Action<string>)(path => SmallFiles.WriteSmallSafetensors(path))).SetArgDisplayNames("safetensors");
        yield return new TestCaseData("pt-zip", (Action<string>)(path => TorchSaveWriter.WriteZip(path, SmallTorchTensors()))).SetArgDisplayNames("pt-zip");
        yield return new TestCaseData("pt-legacy", (Action<string>)(path => TorchSaveWriter.WriteLegacy(path, SmallTorchTensors()))).SetArgDisplayNames("pt-legacy");
    }

    [TestCaseSource(nameof(WeightFormats))]
    public void R14_mutated_weight_files_load_or_fail_with_WeightLoadException(string format, Action<string> write)
    {
        var source = _folder.File("original." + format);
        write(source);
        var original = File.ReadAllBytes(source);
        var extension = format.StartsWith("pt", StringComparison.Ordinal) ? ".pt" : "." + format;
        RunCases($"weights-{format}", original, (bytes, name) =>
        {
            var path = _folder.File("case" + extension);
            File.WriteAllBytes(path, bytes);
            FaceNetWeights.Inspect(path);
            WeightReaderProbe(path);
        });
    }

    [Test]
    public void R14_mutated_galleries_load_or_fail_with_GalleryFormatException()
    {
        var path = _folder.File("original.fng");
        using (var encoder = new FaceEncoder(new TestEmbeddingNetwork(seed: 1)))
        using (var gallery = new InMemoryFaceGallery(encoder))
        {
            for (int i = 0; i < 3; i++)
            {
                using var face = TestImages.Face(10 + i);
                gallery.Enroll($"person {i}", [encoder.Encode(face), encoder.Encode(face)]);
            }
            gallery.Save(path);
        }
        var original = File.ReadAllBytes(path);
        RunCases("gallery", original, (bytes, name) =>
        {
            var file = _folder.File("case.fng");
            File.WriteAllBytes(file, bytes);
            using var loaded = InMemoryFaceGallery.Load(file);
            loaded.Save(file);
        });
    }

    [Test]
    public void R14_random_command_lines_exit_0_or_2_and_leave_no_temporary_file()
    {
        var weights = _folder.File("net.weights");
        File.WriteAllText(weights, "1");
        var faces = TestImages.WriteFaces(Path.Combine(_folder.Path, "faces"), 2);
        var existingFile = _folder.File("plain.txt");
        File.WriteAllText(existingFile, "x");
        var gallery = _folder.File("g.fng");
        string[] commands = ["verify", "enroll", "identify", "gallery", "encode", "detect", "evaluate", "info", "gallery list", "gallery remove", "gallery rename"];
        string[] options = ["--weights", "--gallery", "--name", "--threshold", "--metric", "--mtcnn", "--aligned", "--detect", "--face", "--json",
            "--append", "--save-crops", "--top", "--preprocess", "--from-folders", "-o", "--output", "--help-me"];
        string[] values = [weights, faces[0], faces[1], gallery, existingFile, _folder.Path, Path.Combine(_folder.Path, "missing", "x"), "",
            "  ", "abc", "0", "-1", "0.7", "2", "5", "1e9", "NaN", "cosine", "euclidean", "squared-euclidean", "all", "3", "ana", "a\u001bb",
            "\u0007", "fixed", "../..", "-", "--", new string('x', 3000)];
        var random = new Random(Seed);
        for (int i = 0; i < Cases * 3; i++)
        {
            var args = new List<string>(commands[random.Next(commands.Length)].Split(' '));
            int n = random.Next(0, 8);
            for (int k = 0; k < n; k++)
            {
                if (random.Next(3) == 0) args.Add(values[random.Next(values.Length)]);
                else
                {
                    args.Add(options[random.Next(options.Length)]);
                    if (random.Next(4) != 0) args.Add(values[random.Next(values.Length)]);
                }
            }
            if (random.Next(2) == 0) args.AddRange(["--weights", weights]);
            var caseName = $"seed {Seed}, command line {i}: facenet {string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "..." : a))}";
            var task = Task.Run(() => RunCli(args.ToArray()));
            Assert.That(task.Wait(CaseLimit), Is.True, $"{caseName}: did not finish within {CaseLimit}");
            var (exit, error) = task.Result;
            Assert.That(exit, Is.EqualTo(0).Or.EqualTo(2), $"{caseName}: exit {exit}: {error}");
            Assert.That(error, Does.Not.Contain("\u001b").And.Not.Contain("\u0007"), $"{caseName}: control characters reached stderr");
            AssertNoTemporaryFiles(caseName);
        }
    }

    /// <summary>Runs <see cref="Cases"/> mutations of <paramref name="original"/> through <paramref name="load"/>.</summary>
    private void RunCases(string kind, byte[] original, Action<byte[], string> load)
    {
        var random = new Random(HashCode.Combine(Seed, StableHash(kind)));
        for (int i = 0; i < Cases; i++)
        {
            var (bytes, mutation) = Mutate(original, random);
            var caseName = $"seed {Seed}, {kind} case {i} ({mutation})";
            var task = Task.Run(() =>
            {
                try
                {
                    load(bytes, $"fuzz-{kind}-{i}");
                    return null;
                }
                catch (FaceNetException)
                {
                    return null;
                }
                catch (Exception e)
                {
                    return e;
                }
            });
            Assert.That(task.Wait(CaseLimit), Is.True, $"{caseName}: did not finish within {CaseLimit}");
            Assert.That(task.Result, Is.Null, $"{caseName}: {task.Result?.GetType().FullName}: {task.Result?.Message}");
            AssertNoTemporaryFiles(caseName);
        }
    }

    /// <summary>A truncation, some bit flips, or an overwritten run of bytes (0x00, 0xFF or random), chosen by <paramref name="random"/>.</summary>
    internal static (byte[] Bytes, string Mutation) Mutate(byte[] original, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
            {
                int length = random.Next(0, original.Length);
                return (original[..length], $"truncated to {length} of {original.Length} bytes");
            }
            case 1:
            {
                var bytes = (byte[])original.Clone();
                int flips = 1 + random.Next(8);
                var at = new List<int>();
                for (int k = 0; k < flips; k++)
                {
                    // Half the flips land in the first 256 bytes, where the headers are.
                    int position = random.Next(2) == 0 ? random.Next(Math.Min(256, bytes.Length)) : random.Next(bytes.Length);
                    bytes[position] ^= (byte)(1 << random.Next(8));
                    at.Add(position);
                }
                return (bytes, $"bits flipped at {string.Join(",", at)}");
            }
            case 2:
            {
                var bytes = (byte[])original.Clone();
                int start = random.Next(bytes.Length), length = Math.Min(bytes.Length - start, 1 + random.Next(16));
                byte fill = random.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => (byte)random.Next(256) };
                bytes.AsSpan(start, length).Fill(fill);
                return (bytes, $"{length} bytes at {start} set to 0x{fill:x2}");
            }
            default:
            {
                int cut = random.Next(original.Length);
                var bytes = original[..cut].Concat(original[cut..].Reverse().Take(random.Next(64))).ToArray();
                return (bytes, $"cut at {cut} with {bytes.Length - cut} bytes of the tail reversed");
            }
        }
    }

    private (int Exit, string Error) RunCli(string[] args)
    {
        var root = new RootCommand("facenet");
        foreach (var c in CommandCatalog.All(TestFactory)) root.Subcommands.Add(c);
        var error = new StringWriter();
        var output = new StringWriter();
        lock (ConsoleGate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                return (CliHost.Run(root, args, "facenet"), error.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    private static readonly object ConsoleGate = new();

    private static IFaceEncoder TestFactory(string weights, PreprocessingMode? mode, string? mtcnn) =>
        new FaceEncoder(new TestEmbeddingNetwork(seed: int.TryParse(File.ReadAllText(weights), out var s) ? s : 1), new FaceEncoderOptions { Preprocessing = mode });

    private void AssertNoTemporaryFiles(string caseName)
    {
        var left = Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories).Where(f => f.Contains(".facenet-tmp-", StringComparison.Ordinal)).ToList();
        Assert.That(left, Is.Empty, $"{caseName}: temporary files left");
    }

    private static void WeightReaderProbe(string path) => FaceNet.Net.Weights.WeightReader.Read(path, 128);

    private static List<TorchTensorSpec> SmallTorchTensors() =>
    [
        TorchTensorSpec.Float("conv2d_1a.conv.weight", [2, 3, 1, 1], [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]),
        TorchTensorSpec.Float("conv2d_1a.bn.running_var", [2], [1f, 2f]),
        TorchTensorSpec.Int64Scalar("conv2d_1a.bn.num_batches_tracked", 7),
    ];

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}
