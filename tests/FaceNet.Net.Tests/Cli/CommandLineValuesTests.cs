using System.CommandLine;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Recognition;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// Issue 19's command-line values: each bad value is one line on stderr naming the argument or file and the fix,
/// exit code 2, control characters in names escaped; enrolling an existing name needs <c>--append</c>; the
/// temporary files an interrupted save left are removed and reported. In-process with the test network.
/// </summary>
[NonParallelizable]
public class CommandLineValuesTests
{
    private TempFolder _folder = null!;
    private string _weights = null!;
    private List<string> _faces = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder();
        _weights = _folder.File("net1.weights");
        File.WriteAllText(_weights, "1");
        _faces = TestImages.WriteFaces(Path.Combine(_folder.Path, "faces"), 3);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static IFaceEncoder TestFactory(string weights, FaceNet.Net.Imaging.PreprocessingMode? mode, string? mtcnn) =>
        InProcessCli.TestFactory(weights, mode, mtcnn);

    private static (int Exit, string Out, string Err) Run(params string[] args) => InProcessCli.Run(TestFactory, args);

    private static void AssertUsageError((int Exit, string Out, string Err) run, params string[] mentions)
    {
        Assert.That(run.Exit, Is.EqualTo(2), run.Err);
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "one line: " + run.Err);
        Assert.That(run.Err, Does.Not.Contain("System.").And.Not.Contain("(Parameter").And.Not.Contain("internal error"));
        foreach (var m in mentions) Assert.That(run.Err, Does.Contain(m));
    }

    [TestCase("euclidean", "5")]
    [TestCase("euclidean", "2.01")]
    [TestCase("euclidean", "1e9")]
    [TestCase("euclidean", "0")]
    [TestCase("euclidean", "-0.5")]
    [TestCase("euclidean", "NaN")]
    [TestCase("cosine", "3")]
    [TestCase("squared-euclidean", "4.5")]
    public void R01_a_threshold_outside_the_metrics_range_is_refused(string metric, string threshold)
    {
        var run = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--metric", metric, "--threshold", threshold);
        AssertUsageError(run, "--threshold", metric);
    }

    [TestCase("euclidean", "2")]
    [TestCase("cosine", "1.5")]
    [TestCase("squared-euclidean", "4")]
    public void R01_a_threshold_at_the_edge_of_the_metrics_range_is_taken(string metric, string threshold)
    {
        var run = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--metric", metric, "--threshold", threshold);
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
    }

    [Test]
    public void R02_a_threshold_that_is_not_a_number_names_the_option_not_a_type()
    {
        var run = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--threshold", "abc");
        AssertUsageError(run, "--threshold", "'abc'");
        Assert.That(run.Err, Does.Not.Contain("Nullable"));
    }

    [TestCase("  ")]
    [TestCase("")]
    public void R03_a_blank_name_is_refused_naming_the_option(string name)
    {
        var run = Run("enroll", "--gallery", _folder.File("g.fng"), "--name", name, _faces[0], "--weights", _weights, "--aligned");
        AssertUsageError(run, "--name");
        Assert.That(File.Exists(_folder.File("g.fng")), Is.False);
    }

    [Test]
    public void R04_an_mtcnn_file_is_refused_as_a_file_not_as_a_missing_folder()
    {
        var file = _folder.File("pnet.pt");
        File.WriteAllText(file, "x");
        var run = Run("verify", _faces[0], _faces[1], "--weights", _weights, "--mtcnn", file);
        AssertUsageError(run, "--mtcnn", "is a file");
    }

    [Test]
    public void R05_a_weights_directory_is_refused_as_a_directory()
    {
        var run = Run("verify", _faces[0], _faces[1], "--weights", _folder.Path);
        AssertUsageError(run, "--weights", "is a directory");
    }

    [Test]
    public void R06_save_crops_into_an_existing_file_is_refused()
    {
        var file = _folder.File("crops");
        File.WriteAllText(file, "x");
        var run = Run("detect", _faces[0], "--mtcnn", _folder.Path, "--save-crops", file);
        AssertUsageError(run, "--save-crops", "is a file");
    }

    [Test]
    public void R07_a_gallery_in_a_missing_folder_is_refused_without_naming_a_temporary_file()
    {
        var gallery = Path.Combine(_folder.Path, "missing", "g.fng");
        var run = Run("enroll", "--gallery", gallery, "--name", "ana", _faces[0], "--weights", _weights, "--aligned");
        AssertUsageError(run, "does not exist", "missing");
        Assert.That(run.Err, Does.Not.Contain(".tmp").And.Not.Contain("facenet-tmp"));
    }

    [Test]
    public void R09_enrolling_an_existing_name_is_refused_without_append_and_adds_with_it()
    {
        var gallery = _folder.File("g.fng");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "ana", _faces[0], "--weights", _weights, "--aligned").Exit, Is.EqualTo(0));
        var before = File.ReadAllBytes(gallery);

        var refused = Run("enroll", "--gallery", gallery, "--name", "ana", _faces[1], "--weights", _weights, "--aligned");
        AssertUsageError(refused, "'ana'", "--append");
        Assert.That(File.ReadAllBytes(gallery), Is.EqualTo(before), "the gallery is untouched");

        var appended = Run("enroll", "--gallery", gallery, "--name", "ana", _faces[1], "--weights", _weights, "--aligned", "--append");
        Assert.That(appended.Exit, Is.EqualTo(0), appended.Err);
        using var faces = InMemoryFaceGallery.Load(gallery);
        Assert.That((faces.Count, faces.EmbeddingCount), Is.EqualTo((1, 2)));
    }

    [Test]
    public void R10_control_characters_in_a_file_name_are_escaped_in_the_error_line()
    {
        var name = _folder.File("evil\u001b[31m\u0007.png");
        var run = Run("verify", name, _faces[1], "--weights", _weights);
        Assert.That(run.Exit, Is.EqualTo(2), run.Err);
        Assert.That(run.Err, Does.Not.Contain("\u001b").And.Not.Contain("\u0007"));
        Assert.That(run.Err, Does.Contain("evil\\x1b[31m\\x07.png"));
    }

    [Test]
    public void R11_a_save_removes_the_temporary_files_a_killed_run_left_and_says_so()
    {
        var gallery = _folder.File("g.fng");
        Assert.That(Run("enroll", "--gallery", gallery, "--name", "ana", _faces[0], "--weights", _weights, "--aligned").Exit, Is.EqualTo(0));
        var orphan = _folder.File(".g.fng.facenet-tmp-" + DeadPid() + "-0123456789ab");
        var otherTarget = _folder.File(".h.fng.facenet-tmp-" + DeadPid() + "-0123456789ab");
        File.WriteAllText(orphan, "half a gallery");
        File.WriteAllText(otherTarget, "someone else's");

        var run = Run("gallery", "rename", "ana", "bea", "--gallery", gallery);

        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        Assert.That(File.Exists(orphan), Is.False, "the stale temporary file of this gallery is removed");
        Assert.That(File.Exists(otherTarget), Is.True, "another target's file is left alone");
        Assert.That(run.Err.Trim(), Does.StartWith("facenet: removed 1 temporary file(s) of").And.Contain("interrupted"));
    }

    [Test]
    public void R08_convert_into_an_existing_directory_or_from_a_directory_is_refused()
    {
        var output = Weights.Support.BuiltTools.Run(Weights.Support.BuiltTools.Converter, "convert", _weights, "-o", _folder.Path);
        Assert.That(output.ExitCode, Is.EqualTo(2), output.ToString());
        Assert.That(output.StandardError.Trim(), Does.StartWith($"facenet-convert: --output '{_folder.Path}' is a directory: give a file name"));
        var input = Weights.Support.BuiltTools.Run(Weights.Support.BuiltTools.Converter, "convert", _folder.Path, "-o", _folder.File("w.safetensors"));
        Assert.That(input.ExitCode, Is.EqualTo(2), input.ToString());
        Assert.That(input.StandardError.Trim(), Does.StartWith($"facenet-convert: weights '{_folder.Path}' is a directory"));
        Assert.That(_folder.Path, Does.Exist);
    }

    /// <summary>A process id that no running process has.</summary>
    internal static int DeadPid()
    {
        for (int pid = 4_000_000; pid > 100_000; pid -= 7919)
            if (!FaceNet.Net.IO.TemporaryFiles.IsRunning(pid)) return pid;
        throw new InvalidOperationException("no free process id found");
    }
}
