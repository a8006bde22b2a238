using FaceNet.Net.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

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

        var data = new ImageFolderDataset(_root, 16);
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
