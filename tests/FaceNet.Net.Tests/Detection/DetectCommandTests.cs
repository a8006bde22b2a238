using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Detection;

/// <summary><c>facenet detect</c>, run as the built CLI (<c>facenet.dll</c>) in a child process.</summary>
[Category(TestCategories.Reference)]
public class DetectCommandTests
{
    private static string CliDll()
    {
        // The test assembly sits in tests/FaceNet.Net.Tests/bin/<Configuration>/<tfm>/; the CLI in the same place under src.
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDir.Parent!.Name;
        var dll = Path.Combine(SharedFixtures.RepositoryRoot, "src", "FaceNet.Net.Cli", "bin", configuration, tfmDir.Name, "facenet.dll");
        Assert.That(File.Exists(dll), Is.True, $"the CLI was not built at {dll}");
        return dll;
    }

    private static ProcessRunner.Result Facenet(params string[] arguments) =>
        ProcessRunner.Run("dotnet", new[] { CliDll() }.Concat(arguments), SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(5));

    [Test]
    public void Json_output_matches_the_reference_and_draw_writes_a_png()
    {
        var photo = MtcnnReference.PhotoPath("multiface.jpg");
        var drawn = Path.Combine(Path.GetTempPath(), $"facenet-detect-{Guid.NewGuid():N}.png");
        try
        {
            var run = Facenet("detect", "--mtcnn", MtcnnReference.WeightsFolder, photo, "--json", "--draw", drawn, "--draw-max-side", "300");
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());

            using var json = JsonDocument.Parse(run.StandardOutput);
            var image = json.RootElement.GetProperty("images").EnumerateArray().Single();
            Assert.That(image.GetProperty("file").GetString(), Is.EqualTo("multiface.jpg"));
            Assert.That(image.GetProperty("path").GetString(), Is.EqualTo(photo));
            var expected = MtcnnReference.Load().Single(p => p.File == "multiface.jpg");
            Assert.That((image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()), Is.EqualTo((expected.Width, expected.Height)));
            var faces = image.GetProperty("faces").EnumerateArray().Select(MtcnnReference.Face).ToList();
            MtcnnReference.AssertMatches("multiface.jpg (CLI)", expected.Faces, faces);

            using var picture = SixLabors.ImageSharp.Image.Load(drawn);
            Assert.That(Math.Max(picture.Width, picture.Height), Is.EqualTo(300));
        }
        finally
        {
            File.Delete(drawn);
        }
    }

    [Test]
    public void A_missing_photo_exits_2_with_one_line_on_stderr()
    {
        var run = Facenet("detect", "--mtcnn", MtcnnReference.WeightsFolder, "/no/such/photo.jpg");
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), run.ToString());
        Assert.That(run.StandardError, Does.Contain("does not exist"));
    }

    [Test]
    public void A_folder_without_weights_exits_2()
    {
        var empty = Directory.CreateTempSubdirectory("facenet-noweights-");
        try
        {
            var run = Facenet("detect", "--mtcnn", empty.FullName, MtcnnReference.PhotoPath("multiface.jpg"));
            Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
            Assert.That(run.StandardError, Does.Contain("pnet.safetensors"));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }
}
