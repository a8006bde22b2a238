using System.CommandLine;
using System.Text.Json;
using FaceNet.Net.Cli;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Recognition;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// Runs the facenet commands in-process with the test network in place of real weights: a "weights file" holds
/// the test network's seed. Console output is captured, so these tests do not run in parallel.
/// </summary>
[NonParallelizable]
public class RecognitionCommandsTests
{
    private TempFolder _folder = null!;
    private string _weights = null!;
    private string _otherWeights = null!;
    private List<string> _faces = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder();
        _weights = _folder.File("net1.weights");
        File.WriteAllText(_weights, "1");
        _otherWeights = _folder.File("net2.weights");
        File.WriteAllText(_otherWeights, "2");
        _faces = TestImages.WriteFaces(Path.Combine(_folder.Path, "faces"), 4);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static IFaceEncoder TestFactory(string weights, FaceNet.Net.Imaging.PreprocessingMode? mode, string? mtcnn) =>
        InProcessCli.TestFactory(weights, mode, mtcnn);

    private static (int Exit, string Out, string Err) Run(params string[] args) => RunWith(TestFactory, args);

    private static (int Exit, string Out, string Err) RunWith(CreateEncoder factory, params string[] args) => InProcessCli.Run(factory, args);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Test]
    public void Verify_reports_the_distance_and_verdict_and_exits_0_for_match_and_for_no_match()
    {
        var same = Run("verify", _faces[0], _faces[0], "--weights", _weights, "--json");
        Assert.That(same.Exit, Is.EqualTo(0), same.Err);
        var json = Json(same.Out);
        Assert.That(json.GetProperty("isMatch").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("distance").GetSingle(), Is.EqualTo(0f).Within(1e-6));
        Assert.That(json.GetProperty("metric").GetString(), Is.EqualTo("euclidean"));
        Assert.That(json.GetProperty("threshold").GetSingle(), Is.EqualTo(0.7f));

        using var encoder = TestFactory(_weights, null, null);
        float expected = encoder.Encode(_faces[0]).DistanceTo(encoder.Encode(_faces[1]), DistanceMetric.Cosine);
        var differentThreshold = expected / 2;
        var other = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--metric", "cosine", "--threshold", differentThreshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.That(other.Exit, Is.EqualTo(0), other.Err);
        json = Json(other.Out);
        Assert.That(json.GetProperty("isMatch").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("distance").GetSingle(), Is.EqualTo(expected).Within(1e-5));
        Assert.That(json.GetProperty("metric").GetString(), Is.EqualTo("cosine"));

        var text = Run("verify", _faces[0], _faces[0], "--weights", _weights);
        Assert.That(text.Out, Does.StartWith("match: distance 0.0000 (euclidean, threshold 0.7)"));
    }

    [Test]
    public void Enroll_identify_and_gallery_edit_work_end_to_end()
    {
        var gallery = _folder.File("people.gallery");
        var enrol = Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], _faces[1], "--weights", _weights, "--json");
        Assert.That(enrol.Exit, Is.EqualTo(0), enrol.Err);
        Assert.That(Json(enrol.Out).GetProperty("identities").GetInt32(), Is.EqualTo(1));
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "bob", _faces[2], "--weights", _weights).Exit, Is.EqualTo(0));

        var identify = Run("identify", "--gallery", gallery, _faces[2], "--weights", _weights, "--json");
        Assert.That(identify.Exit, Is.EqualTo(0), identify.Err);
        var json = Json(identify.Out);
        Assert.That(json.GetProperty("identity").GetString(), Is.EqualTo("bob"));
        Assert.That(json.GetProperty("isKnown").GetBoolean(), Is.True);
        var candidates = json.GetProperty("candidates");
        Assert.That(candidates.GetArrayLength(), Is.EqualTo(2));
        Assert.That(candidates[0].GetProperty("distance").GetSingle(), Is.EqualTo(0f).Within(1e-6));
        Assert.That(candidates[1].GetProperty("name").GetString(), Is.EqualTo("alice"));

        var strict = Run("identify", "--gallery", gallery, _faces[3], "--weights", _weights, "--threshold", "0.000001", "--json");
        Assert.That(strict.Exit, Is.EqualTo(0), strict.Err);
        Assert.That(Json(strict.Out).GetProperty("isKnown").GetBoolean(), Is.False, "unknown is a result, not an error");

        var list = Run("gallery", "list", "--gallery", gallery, "--json");
        Assert.That(list.Exit, Is.EqualTo(0), list.Err);
        var identities = Json(list.Out).GetProperty("identities");
        Assert.That(identities.EnumerateArray().Select(i => (i.GetProperty("name").GetString(), i.GetProperty("embeddings").GetInt32())),
            Is.EqualTo(new[] { ("alice", 2), ("bob", 1) }));

        Assert.That(Run("gallery", "rename", "bob", "robert", "--gallery", gallery).Exit, Is.EqualTo(0));
        Assert.That(Run("gallery", "remove", "alice", "--gallery", gallery).Exit, Is.EqualTo(0));
        var after = Run("gallery", "list", "--gallery", gallery);
        Assert.That(after.Out, Does.Contain("robert  (1)"));
        Assert.That(after.Out, Does.Not.Contain("alice"));
    }

    [Test]
    public void Verify_against_a_gallery_uses_the_smallest_distance_over_the_persons_embeddings()
    {
        var gallery = _folder.File("people.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], _faces[1], "--weights", _weights).Exit, Is.EqualTo(0));
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "bob", _faces[2], "--weights", _weights).Exit, Is.EqualTo(0));

        using var encoder = TestFactory(_weights, null, null);
        var probe = encoder.Encode(_faces[3]);
        float expected = Math.Min(probe.DistanceTo(encoder.Encode(_faces[0])), probe.DistanceTo(encoder.Encode(_faces[1])));
        var run = Run("verify", _faces[3], "--gallery", gallery, "--name", "alice", "--weights", _weights, "--json");
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        var json = Json(run.Out);
        Assert.That(json.GetProperty("identity").GetString(), Is.EqualTo("alice"));
        Assert.That(json.GetProperty("distance").GetSingle(), Is.EqualTo(expected).Within(1e-5));
        Assert.That(json.GetProperty("isMatch").GetBoolean(), Is.EqualTo(expected < json.GetProperty("threshold").GetSingle()));

        var self = Run("verify", _faces[2], "--gallery", gallery, "--name", "bob", "--weights", _weights);
        Assert.That(self.Exit, Is.EqualTo(0), self.Err);
        Assert.That(self.Out, Does.StartWith("match with bob: distance 0.0000"));
    }

    [TestCase("nobody", "No identity named 'nobody'")]
    [TestCase(null, "needs --name")]
    public void Verify_against_a_gallery_refuses_an_unknown_or_missing_person_with_exit_2(string? person, string message)
    {
        var gallery = _folder.File("people.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var args = new List<string> { "verify", _faces[1], "--gallery", gallery, "--weights", _weights };
        if (person is not null) args.AddRange(["--name", person]);
        var run = Run([.. args]);
        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain(message));
        Assert.That(run.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void Verify_takes_two_images_or_one_with_a_gallery()
    {
        var gallery = _folder.File("people.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var one = Run("verify", _faces[1], "--weights", _weights);
        Assert.That((one.Exit, one.Err), Is.EqualTo((2, "facenet: verify needs two images, or one image with --gallery and --name" + Environment.NewLine)));
        var three = Run("verify", _faces[1], _faces[2], "--gallery", gallery, "--name", "alice", "--weights", _weights);
        Assert.That(three.Exit, Is.EqualTo(2));
        Assert.That(three.Err, Does.Contain("takes one image"));
        var nameOnly = Run("verify", _faces[1], _faces[2], "--name", "alice", "--weights", _weights);
        Assert.That(nameOnly.Exit, Is.EqualTo(2));
        Assert.That(nameOnly.Err, Does.Contain("--name is for verifying against a gallery"));
    }

    [Test]
    public void Enroll_from_folders_takes_one_subfolder_per_person()
    {
        var root = Path.Combine(_folder.Path, "people");
        TestImages.WriteFaces(Path.Combine(root, "carol"), 2, firstSeed: 10);
        TestImages.WriteFaces(Path.Combine(root, "dave"), 1, firstSeed: 20);
        File.WriteAllText(Path.Combine(root, "dave", "notes.txt"), "skipped: not an image extension");
        var gallery = _folder.File("folders.gallery");

        var result = Run("enroll", "--gallery", gallery, "--from-folders", root, "--weights", _weights);

        Assert.That(result.Exit, Is.EqualTo(0), result.Err);
        using var loaded = InMemoryFaceGallery.Load(gallery);
        Assert.That(loaded.List(), Is.EqualTo(new[] { new GalleryIdentity("carol", 2), new GalleryIdentity("dave", 1) }));
        Assert.That(result.Err, Is.Empty, "no progress bar when stderr is not a terminal");
    }

    [Test]
    public void C02_a_failed_enrol_exits_2_with_one_line_and_leaves_the_gallery_file_as_it_was()
    {
        var gallery = _folder.File("g.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var before = File.ReadAllBytes(gallery);
        var broken = _folder.File("broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0xE0, 0x00]);

        var result = Run("enroll", "--gallery", gallery, "--name", "bob", _faces[1], broken, "--weights", _weights);

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(result.Err, Does.Contain(broken));
        Assert.That(File.ReadAllBytes(gallery), Is.EqualTo(before));
    }

    [Test]
    public void C03_using_a_gallery_with_other_weights_exits_2()
    {
        var gallery = _folder.File("g.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var result = Run("identify", "--gallery", gallery, _faces[0], "--weights", _otherWeights);
        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Err, Does.StartWith($"facenet: Gallery '{gallery}' was built with weights test-network-1-128 (128-d), not with the weights in use (test-network-2-128, 128-d)"));
    }

    [TestCase("gallery", "remove", "nobody")]
    [TestCase("gallery", "rename", "nobody", "x")]
    public void C04_editing_an_unknown_identity_exits_2(params string[] args)
    {
        var gallery = _folder.File("g.gallery");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var result = Run([.. args, "--gallery", gallery]);
        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Err.Trim(), Is.EqualTo("facenet: No identity named 'nobody' is enrolled in the gallery."));
    }

    [Test]
    public void C01_bad_usage_exits_2_with_one_line()
    {
        var missingWeights = Run("verify", _faces[0], _faces[1], "--weights", _folder.File("none.h5"));
        Assert.That(missingWeights.Exit, Is.EqualTo(2));
        Assert.That(missingWeights.Err.Trim(), Is.EqualTo($"facenet: weights file '{_folder.File("none.h5")}' does not exist"));

        var badMetric = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--metric", "manhattan");
        Assert.That(badMetric.Exit, Is.EqualTo(2));

        var badThreshold = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--threshold", "-1");
        Assert.That(badThreshold.Exit, Is.EqualTo(2));
        Assert.That(badThreshold.Err.Trim(), Is.EqualTo("facenet: --threshold -1 is out of range for the euclidean distance: give a number above 0 and at most 2 (distances between unit vectors lie in [0, 2])"));

        var both = Run("enroll", "--gallery", _folder.File("g"), "--name", "x", _faces[0], "--from-folders", _folder.Path, "--weights", _weights);
        Assert.That(both.Exit, Is.EqualTo(2));
        Assert.That(both.Err.Trim(), Is.EqualTo("facenet: use either --name with images, or --from-folders, not both"));

        var missingImage = Run("verify", _faces[0], _folder.File("nobody.png"), "--weights", _weights);
        Assert.That(missingImage.Exit, Is.EqualTo(2));
        Assert.That(missingImage.Err.Trim(), Is.EqualTo($"facenet: Image file '{_folder.File("nobody.png")}' does not exist."));

        var corrupt = _folder.File("corrupt.gallery");
        File.WriteAllText(corrupt, string.Concat(Enumerable.Repeat("not a gallery at all, just some text. ", 5)));
        var list = Run("gallery", "list", "--gallery", corrupt);
        Assert.That(list.Exit, Is.EqualTo(2));
        Assert.That(list.Err.Trim(), Is.EqualTo($"facenet: '{corrupt}' is not a FaceNet.Net gallery file (wrong magic bytes)."));
    }

    [Test]
    public void C05_a_weights_file_that_is_not_FaceNet_weights_is_refused_through_the_one_factory()
    {
        var result = RunWith(EncoderFactory.Create, "verify", _faces[0], _faces[1], "--weights", _weights);
        Assert.That(result.Exit, Is.EqualTo(2));
        var lines = result.Err.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), result.Err);
        Assert.That(lines[0], Does.StartWith("facenet: ").And.Contain("net1.weights"));
    }
}
