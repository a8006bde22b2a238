using System.CommandLine;
using System.Text.Json;
using FaceNet.Net.Cli;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Tests.Recognition;
using SixLabors.ImageSharp;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// The input rule of verify, enroll and identify, in-process with the test network and no MTCNN weights: a 160x160
/// image is an aligned crop; any other image is a photo, refused (exit 2, naming the file and the missing MTCNN
/// weights) unless <c>--aligned</c> declares it a crop. Console output is captured, so these tests do not run in parallel.
/// </summary>
[NonParallelizable]
public class FaceInputCommandsTests
{
    private TempFolder _folder = null!;
    private string _weights = null!;
    private List<string> _faces = null!;
    private string _photo = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder();
        _weights = _folder.File("net.weights");
        File.WriteAllText(_weights, "1");
        _faces = TestImages.WriteFaces(Path.Combine(_folder.Path, "faces"), 2);
        _photo = _folder.File("holiday.png");
        using var photo = TestImages.Face(7, width: 320, height: 200);
        photo.SaveAsPng(_photo);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static IFaceEncoder TestFactory(string weights, FaceNet.Net.Imaging.PreprocessingMode? mode, string? mtcnn) =>
        InProcessCli.TestFactory(weights, mode, mtcnn);

    private static (int Exit, string Out, string Err) Run(params string[] args) => InProcessCli.Run(TestFactory, args);

    [Test]
    public void P01_a_photo_sized_image_without_mtcnn_weights_is_refused_by_every_command_naming_the_file()
    {
        var gallery = _folder.File("people.gallery");
        var commands = new[]
        {
            new[] { "verify", _faces[0], _photo },
            new[] { "enroll", "--gallery", gallery, "--name", "x", _photo },
            new[] { "identify", "--gallery", gallery, _photo },
        };
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "someone", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        long galleryBytes = new FileInfo(gallery).Length;
        foreach (var args in commands)
        {
            var (exit, output, error) = Run([.. args, "--weights", _weights, "--json"]);
            Assert.That(exit, Is.EqualTo(2), $"{args[0]}: {error}");
            Assert.That(output, Is.Empty, args[0]);
            Assert.That(error, Does.Contain("holiday.png' is a 320x200 photo").And.Contain("no MTCNN face detector weights").And.Contain("--mtcnn").And.Contain("--aligned"), args[0]);
        }
        Assert.That(new FileInfo(gallery).Length, Is.EqualTo(galleryBytes), "the refused enrol left the gallery as it was");
    }

    [Test]
    public void Aligned_declares_any_image_a_face_crop_and_160x160_images_need_no_flag()
    {
        var crops = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--json");
        Assert.That(crops.Exit, Is.EqualTo(0), crops.Err);
        using (var json = JsonDocument.Parse(crops.Out))
            Assert.That(json.RootElement.GetProperty("faces").EnumerateArray().All(f => !f.TryGetProperty("box", out _)), Is.True, "aligned crops have no box");

        var declared = Run("verify", _photo, _photo, "--aligned", "--weights", _weights, "--json");
        Assert.That(declared.Exit, Is.EqualTo(0), declared.Err);
        using (var json = JsonDocument.Parse(declared.Out))
            Assert.That(json.RootElement.GetProperty("distance").GetSingle(), Is.EqualTo(0f).Within(1e-6f));

        // --detect makes even a 160x160 image a photo, which needs MTCNN weights.
        var detect = Run("verify", _faces[0], _faces[1], "--detect", "--weights", _weights);
        Assert.That(detect.Exit, Is.EqualTo(2));
        Assert.That(detect.Err, Does.Contain("face1.png' is a 160x160 photo"));
    }

    [TestCase("0")]
    [TestCase("all")]
    [TestCase("biggest")]
    public void P04_a_bad_face_choice_is_a_usage_error(string value)
    {
        var (exit, _, error) = Run("verify", _faces[0], _faces[1], "--face", value, "--weights", _weights);
        Assert.That(exit, Is.EqualTo(2), error);
        Assert.That(error, Does.Contain("--face must be largest"));
    }

    [Test]
    public void P05_aligned_and_detect_together_are_refused()
    {
        var (exit, _, error) = Run("identify", "--gallery", _folder.File("g"), _faces[0], "--aligned", "--detect", "--weights", _weights);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--aligned and --detect contradict each other"));
    }
}
