using FaceNet.Net.Imaging;
using FaceNet.Net.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Training;

public class ImageFolderDatasetTests
{
    private string _root = "";

    [SetUp]
    public void Init()
    {
        FaceNetRuntime.EnsureInitialized();
        _root = Directory.CreateTempSubdirectory("facenet-folder-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_root, recursive: true);

    private void Write(string identity, string file, Rgb24 colour, int w = 20, int h = 10)
    {
        Directory.CreateDirectory(Path.Combine(_root, identity));
        using var image = new Image<Rgb24>(w, h, colour);
        var path = Path.Combine(_root, identity, file);
        if (file.EndsWith(".png")) image.SaveAsPng(path); else image.SaveAsJpeg(path);
    }

    [Test]
    public void Identities_and_images_are_found_in_name_order_and_decoded_preprocessed()
    {
        Write("bob", "2.png", new Rgb24(255, 0, 128));
        Write("bob", "1.jpg", new Rgb24(10, 10, 10));
        Write("alice", "a.png", new Rgb24(0, 255, 0));
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        File.WriteAllText(Path.Combine(_root, "alice", "notes.txt"), "ignored");

        // Fixed on purpose: the expected values below are (x − 127.5) / 128 of the stored colours.
        var data = new ImageFolderDataset(_root, 16, PreprocessingMode.Fixed);
        Assert.That(data.IdentityCount, Is.EqualTo(2), "the folder without images is ignored");
        Assert.That(data.IdentityName(0), Is.EqualTo("alice"));
        Assert.That(data.ImageCount(1), Is.EqualTo(2));
        Assert.That(Path.GetFileName(data.ImagePath(1, 0)), Is.EqualTo("1.jpg"));

        using var image = data.LoadImage(1, 1);  // bob/2.png: RGB (255, 0, 128), resized from 20x10 to 16x16
        Assert.That(image.shape, Is.EqualTo(new long[] { 3, 16, 16 }));
        var px = image.data<float>().ToArray();
        Assert.That(px[0], Is.EqualTo((255 - 127.5f) / 128).Within(1e-5));
        Assert.That(px[256], Is.EqualTo((0 - 127.5f) / 128).Within(1e-5));
        Assert.That(px[512 + 255], Is.EqualTo((128 - 127.5f) / 128).Within(1e-5));
    }

    [Test]
    public void Images_go_through_the_encoders_pipeline_in_the_given_mode_prewhiten_by_default()
    {
        Directory.CreateDirectory(Path.Combine(_root, "noise"));
        var random = new Random(3);
        using (var noise = new Image<Rgb24>(37, 23))
        {
            for (int y = 0; y < noise.Height; y++)
                for (int x = 0; x < noise.Width; x++)
                    noise[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            noise.SaveAsPng(Path.Combine(_root, "noise", "a.png"));
        }
        using var decoded = ImageLoader.Load(Path.Combine(_root, "noise", "a.png"));

        Assert.That(new ImageFolderDataset(_root, 20).Preprocessing, Is.EqualTo(PreprocessingMode.Prewhiten), "the encoder's choice when nothing is declared");
        foreach (var mode in new[] { PreprocessingMode.Fixed, PreprocessingMode.Unit, PreprocessingMode.Prewhiten })
        {
            var data = new ImageFolderDataset(_root, 20, mode);
            using var image = data.LoadImage(0, 0);
            using var expected = FaceBatch.ToTensor([decoded], mode, 20);
            Assert.That(image.shape, Is.EqualTo(new long[] { 3, 20, 20 }), mode.ToString());
            Assert.That(image.is_contiguous(), Is.True, mode.ToString());
            Assert.That(image.data<float>().ToArray(), Is.EqualTo(expected[0].contiguous().data<float>().ToArray()), mode.ToString());
            if (mode == PreprocessingMode.Fixed)
            {
                // What the dataset computed before it used the encoder's pipeline: an in-place bicubic resize, then
                // (x − 127.5) / 128. Training numbers recorded with fixed preprocessing stay the same.
                using var resized = decoded.Clone(c => c.Resize(20, 20, KnownResamplers.Bicubic));
                var rgb = new byte[20 * 20 * 3];
                resized.CopyPixelDataTo(rgb);
                var old = new float[rgb.Length];
                for (int c = 0; c < 3; c++)
                    for (int p = 0; p < 400; p++)
                        old[c * 400 + p] = (rgb[p * 3 + c] - 127.5f) / 128f;
                Assert.That(image.data<float>().ToArray(), Is.EqualTo(old));
            }
            if (mode == PreprocessingMode.Prewhiten)
            {
                // 3 x 20 x 20 = 1200 values, not a multiple of the 256-value groups: the direct float64 sums.
                Assert.That(image.mean().item<float>(), Is.EqualTo(0).Within(1e-5));
                Assert.That(image.std(unbiased: false).item<float>(), Is.EqualTo(1).Within(1e-4));
            }
        }
    }

    [Test]
    public void Missing_or_empty_folders_and_undecodable_files_give_clear_errors()
    {
        Assert.That(() => new ImageFolderDataset(Path.Combine(_root, "nope"), 16), Throws.InstanceOf<DirectoryNotFoundException>().With.Message.Contains("nope"));
        Assert.That(() => new ImageFolderDataset(_root, 16), Throws.InstanceOf<FaceNetException>().With.Message.Contains("no identity"));
        Directory.CreateDirectory(Path.Combine(_root, "x"));
        File.WriteAllText(Path.Combine(_root, "x", "fake.png"), "not an image");
        var data = new ImageFolderDataset(_root, 16);
        Assert.That(() => data.LoadImage(0, 0), Throws.InstanceOf<FaceNetException>().With.Message.Contains("fake.png"));
    }
}
