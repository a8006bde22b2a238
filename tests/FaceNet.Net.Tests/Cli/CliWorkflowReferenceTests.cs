using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// The documented CLI flow on the aligned faces with the reference weights, as separate processes:
/// <c>enroll</c> → <c>identify</c> → <c>verify</c>, with exit code 0 for a run that completed (whatever the
/// verdict) and 2 for bad input, one line on stderr. Distances must match <c>expected.json</c> within 1e-3.
/// </summary>
[Category(TestCategories.Reference)]
public class CliWorkflowReferenceTests
{
    private string _weights = null!;
    private string _folder = null!;
    private string _gallery = null!;
    private Dictionary<string, float[]> _expected = null!;

    private static string Face(string person) => SharedFixtures.Path("fixtures", "faces", "aligned", person + ".png");

    [OneTimeSetUp]
    public void SetUp()
    {
        _weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        _expected = ReferenceCases.NormalizedByPerson("unit");
        _folder = Directory.CreateTempSubdirectory("facenet-cli-flow-").FullName;
        _gallery = Path.Combine(_folder, "people.gallery");
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        if (_folder is not null) Directory.Delete(_folder, recursive: true); // null when the fixtures were missing and SetUp ignored the class
    }

    private float Expected(string a, string b) => ReferenceCases.Distance(_expected[a], _expected[b]);

    private ProcessRunner.Result Facenet(params string[] args) =>
        FacenetCli.Run(args.Concat(new[] { "--weights", _weights, "--preprocess", "unit" }).ToArray());

    [Test, Order(1)]
    public void Enroll_writes_the_gallery()
    {
        foreach (var person in new[] { "angelina_jolie", "kate_siegel", "paul_rudd" })
        {
            var enroll = Facenet("enroll", "--gallery", _gallery, "--name", person, Face(person), "--json");
            Assert.That(enroll.ExitCode, Is.EqualTo(0), enroll.ToString());
        }
        var list = FacenetCli.Run("gallery", "list", "--gallery", _gallery, "--json");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        Assert.That(list.StandardOutput, Does.Contain("paul_rudd").And.Contain("kate_siegel").And.Contain("angelina_jolie"));
    }

    [Test, Order(2)]
    public void Identify_names_a_known_face_and_says_unknown_for_a_stranger()
    {
        var known = Facenet("identify", "--gallery", _gallery, Face("kate_siegel"), "--threshold", "0.02", "--json");
        Assert.That(known.ExitCode, Is.EqualTo(0), known.ToString());
        using (var json = JsonDocument.Parse(known.StandardOutput))
        {
            Assert.That(json.RootElement.GetProperty("isKnown").GetBoolean(), Is.True);
            Assert.That(json.RootElement.GetProperty("candidates")[0].GetProperty("name").GetString(), Is.EqualTo("kate_siegel"));
            Assert.That(json.RootElement.GetProperty("distance").GetSingle(), Is.EqualTo(0f).Within(1e-3));
        }

        var stranger = Facenet("identify", "--gallery", _gallery, Face("shea_whigham"), "--threshold", "0.02", "--json");
        Assert.That(stranger.ExitCode, Is.EqualTo(0), stranger.ToString());
        using (var json = JsonDocument.Parse(stranger.StandardOutput))
        {
            Assert.That(json.RootElement.GetProperty("isKnown").GetBoolean(), Is.False);
            var best = json.RootElement.GetProperty("candidates")[0];
            Assert.That(best.GetProperty("name").GetString(), Is.EqualTo("paul_rudd"));
            Assert.That(best.GetProperty("distance").GetSingle(), Is.EqualTo(Expected("shea_whigham", "paul_rudd")).Within(1e-3));
        }
    }

    [Test, Order(3)]
    public void Verify_reports_the_reference_distance()
    {
        var verify = Facenet("verify", Face("paul_rudd"), Face("kate_siegel"), "--json");
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.ToString());
        using var json = JsonDocument.Parse(verify.StandardOutput);
        Assert.That(json.RootElement.GetProperty("distance").GetSingle(), Is.EqualTo(Expected("paul_rudd", "kate_siegel")).Within(1e-3));
        Assert.That(json.RootElement.GetProperty("isMatch").GetBoolean(), Is.True, "0.049 < the seed's 0.7");
    }

    [Test, Order(4)]
    public void Bad_input_exits_2_with_one_line_and_leaves_the_gallery_as_it_was()
    {
        var before = File.ReadAllBytes(_gallery);
        var missing = Facenet("enroll", "--gallery", _gallery, "--name", "nobody", Path.Combine(_folder, "missing.png"));
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), missing.ToString());
        Assert.That(File.ReadAllBytes(_gallery), Is.EqualTo(before));

        var badThreshold = Facenet("identify", "--gallery", _gallery, Face("kate_siegel"), "--threshold", "abc");
        Assert.That(badThreshold.ExitCode, Is.EqualTo(2), badThreshold.ToString());
    }
}
