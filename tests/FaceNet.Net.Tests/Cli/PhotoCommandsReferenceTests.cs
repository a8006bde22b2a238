using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// Photos just work, as separate processes on the real shared photos: a photo is detected (its box in the JSON) or,
/// without MTCNN weights, refused naming the file and the missing weights, never encoded whole; a photo with several
/// faces is refused by verify and enroll until <c>--face</c> chooses, and identify reports every face.
/// </summary>
[Category(TestCategories.Reference)]
public class PhotoCommandsReferenceTests
{
    private string _weights = null!;
    private string _mtcnn = null!;
    private string _folder = null!;

    private static string Photo(string name) => SharedFixtures.Path("fixtures", "faces", "photos", name);

    [OneTimeSetUp]
    public void SetUp()
    {
        _weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        _mtcnn = SharedFixtures.Path("fixtures", "mtcnn");
        _folder = Directory.CreateTempSubdirectory("facenet-photos-").FullName;
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    private static float[] Box(JsonElement e) => e.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    [Test]
    public void A_photo_without_mtcnn_weights_is_refused_naming_the_file_and_the_missing_weights()
    {
        // An empty cache, offline: no MTCNN weights anywhere.
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty-cache")).FullName;
        var offline = new Dictionary<string, string?> { ["FACENET_CACHE"] = empty, ["FACENET_OFFLINE"] = "1" };
        var verify = FacenetCli.Run(offline, "verify", Photo("kate_siegel.jpg"), Photo("paul_rudd.jpg"), "--weights", _weights, "--json");
        Assert.That(verify.ExitCode, Is.EqualTo(2), verify.ToString());
        Assert.That(verify.StandardOutput, Is.Empty, "no verdict is printed");
        Assert.That(verify.StandardError, Does.Contain("kate_siegel.jpg").And.Contain("1125x1612 photo").And.Contain("MTCNN").And.Contain("--mtcnn"));

        // Declared an aligned crop, it is encoded (resized) as the user asked.
        var aligned = FacenetCli.Run("encode", Photo("kate_siegel.jpg"), "--weights", _weights, "--aligned", "--json");
        Assert.That(aligned.ExitCode, Is.EqualTo(0), aligned.ToString());
        using var json = JsonDocument.Parse(aligned.StandardOutput);
        Assert.That(json.RootElement.GetProperty("embeddings")[0].TryGetProperty("box", out _), Is.False);

        var both = FacenetCli.Run("encode", Photo("kate_siegel.jpg"), "--weights", _weights, "--aligned", "--detect");
        Assert.That(both.ExitCode, Is.EqualTo(2), both.ToString());
        Assert.That(both.StandardError, Does.Contain("--aligned and --detect"));
    }

    [Test]
    public void With_mtcnn_in_the_cache_verify_detects_the_faces_without_mtcnn_option()
    {
        var cache = Directory.CreateDirectory(Path.Combine(_folder, "filled-cache")).FullName;
        Directory.CreateDirectory(Path.Combine(cache, "mtcnn"));
        foreach (var network in new[] { "pnet", "rnet", "onet" })
            File.Copy(Path.Combine(_mtcnn, network + ".pt"), Path.Combine(cache, "mtcnn", network + ".pt"));
        var offline = new Dictionary<string, string?> { ["FACENET_CACHE"] = cache, ["FACENET_OFFLINE"] = "1" };
        var result = FacenetCli.Run(offline, "verify", Photo("kate_siegel.jpg"), Photo("paul_rudd.jpg"), "--weights", _weights, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var faces = json.RootElement.GetProperty("faces").EnumerateArray().ToList();
        Assert.That(faces, Has.Count.EqualTo(2));
        Assert.That(Box(faces[0]), Is.EqualTo(new[] { 537.6f, 100.7f, 762.7f, 414.1f }).Within(1f), "facenet-pytorch's box for kate_siegel.jpg");
    }

    [Test]
    public void Verify_detects_both_faces_and_shows_each_box()
    {
        var result = FacenetCli.Run("verify", Photo("kate_siegel.jpg"), Photo("multiface.jpg"), "--face", "largest",
            "--weights", _weights, "--mtcnn", _mtcnn, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var faces = json.RootElement.GetProperty("faces").EnumerateArray().ToList();
        Assert.That(faces, Has.Count.EqualTo(2));
        Assert.That(Box(faces[0]), Is.EqualTo(new[] { 537.6f, 100.7f, 762.7f, 414.1f }).Within(1f), "facenet-pytorch's box for kate_siegel.jpg");
        Assert.That(faces[0].GetProperty("facesFound").GetInt32(), Is.EqualTo(1));
        Assert.That(faces[1].GetProperty("facesFound").GetInt32(), Is.EqualTo(6));
        Assert.That(Box(faces[1]), Is.EqualTo(new[] { 859.2f, 436.6f, 953.6f, 558.6f }).Within(1f), "the largest face of multiface.jpg");
    }

    [Test]
    public void P03_several_faces_are_refused_by_verify_and_enroll_until_face_chooses_and_identify_reports_every_face()
    {
        var verify = FacenetCli.Run("verify", Photo("multiface.jpg"), Photo("multiface.jpg"), "--weights", _weights, "--mtcnn", _mtcnn);
        Assert.That(verify.ExitCode, Is.EqualTo(2), verify.ToString());
        Assert.That(verify.StandardError, Does.Contain("multiface.jpg' holds 6 faces").And.Contain("--face largest").And.Contain("--face N"));

        var gallery = Path.Combine(_folder, "group.gallery");
        var refused = FacenetCli.Run("enroll", "--gallery", gallery, "--name", "someone", Photo("multiface.jpg"), "--weights", _weights, "--mtcnn", _mtcnn);
        Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
        Assert.That(refused.StandardError, Does.Contain("holds 6 faces"));
        Assert.That(File.Exists(gallery), Is.False, "a refused enrol writes no gallery");

        var tooFar = FacenetCli.Run("enroll", "--gallery", gallery, "--name", "someone", "--face", "7", Photo("multiface.jpg"), "--weights", _weights, "--mtcnn", _mtcnn);
        Assert.That(tooFar.ExitCode, Is.EqualTo(2), tooFar.ToString());
        Assert.That(tooFar.StandardError, Does.Contain("--face 7: '").And.Contain("multiface.jpg' holds only 6 face(s)"));

        var enroll = FacenetCli.Run("enroll", "--gallery", gallery, "--name", "third", "--face", "3", Photo("multiface.jpg"), "--weights", _weights, "--mtcnn", _mtcnn, "--json");
        Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.ToString());

        var identify = FacenetCli.Run("identify", Photo("multiface.jpg"), "--gallery", gallery, "--threshold", "0.001", "--weights", _weights, "--mtcnn", _mtcnn, "--json");
        Assert.That(identify.ExitCode, Is.EqualTo(0), identify.ToString());
        using var json = JsonDocument.Parse(identify.StandardOutput);
        var faces = json.RootElement.GetProperty("faces").EnumerateArray().ToList();
        Assert.That(faces, Has.Count.EqualTo(6));
        Assert.That(faces.Select(f => f.GetProperty("face").GetInt32()), Is.EqualTo(Enumerable.Range(1, 6)));
        Assert.That(faces.All(f => Box(f).Length == 4 && f.TryGetProperty("isKnown", out _)), Is.True);
        // The enrolled face is found again (same pixels, distance ~0); no other face of the photo is within 0.001 of it.
        Assert.That(faces.Where(f => f.GetProperty("isKnown").GetBoolean()).Select(f => f.GetProperty("face").GetInt32()), Is.EqualTo(new[] { 3 }));
        Assert.That(faces[2].GetProperty("identity").GetString(), Is.EqualTo("third"));
        Assert.That(json.RootElement.TryGetProperty("identity", out _), Is.False, "no single verdict for a photo of six faces");
    }

    [Test]
    public void P02_a_photo_without_a_face_is_refused_naming_the_file()
    {
        var path = Path.Combine(_folder, "wall.png");
        using (var flat = new Image<Rgb24>(320, 240, new Rgb24(90, 120, 150))) flat.SaveAsPng(path);
        var result = FacenetCli.Run("encode", path, "--weights", _weights, "--mtcnn", _mtcnn);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.StandardError, Does.Contain("wall.png").And.Contain("no face was found"));
    }

    [Test]
    public void Encode_without_preprocess_uses_the_weights_own_convention_like_the_other_commands()
    {
        // weights.h5 records no preprocessing: the one default rule gives prewhiten, as for verify, enroll and identify.
        var result = FacenetCli.Run("encode", SharedFixtures.Path("fixtures", "faces", "aligned", "kate_siegel.png"), "--weights", _weights, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var vector = json.RootElement.GetProperty("embeddings")[0].GetProperty("normalized").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.That(vector, Is.EqualTo(ReferenceCases.NormalizedByPerson("prewhiten")["kate_siegel"]).Within(1e-3f));
    }
}
