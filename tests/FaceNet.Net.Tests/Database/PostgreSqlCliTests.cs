using System.Text.Json;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Recognition;
using Npgsql;

namespace FaceNet.Net.Tests.Database;

/// <summary>
/// <c>facenet</c> with <c>--gallery postgresql://...</c>: the same answers as with a gallery file, export and import
/// between them, and a server that is down as exit code 2 with one line. In-process (console captured): not parallel.
/// </summary>
[TestFixture]
[Category(TestCategories.Database)]
[NonParallelizable]
public sealed class PostgreSqlCliTests
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
        _faces = TestImages.WriteFaces(Path.Combine(_folder.Path, "faces"), 4);
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static (int Exit, string Out, string Err) Run(params string[] args) => InProcessCli.Run(InProcessCli.TestFactory, args);

    private static string Uri(string schema)
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresTestServer.ConnectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}?schema={schema}";
    }

    [Test]
    public void Enroll_then_identify_and_verify_with_a_postgresql_gallery_give_the_gallery_files_ranking_and_distances()
    {
        var file = _folder.File("people.gallery");
        var database = Uri(PostgresTestServer.NewSchema());
        foreach (var gallery in new[] { file, database })
        {
            Assert.That(Run("enroll", "--gallery", gallery, "--name", "alice", _faces[0], _faces[1], "--weights", _weights).Exit, Is.EqualTo(0));
            var bob = Run("enroll", "--gallery", gallery, "--name", "bob", _faces[2], "--weights", _weights, "--json");
            Assert.That(bob.Exit, Is.EqualTo(0), bob.Err);
            Assert.That(JsonDocument.Parse(bob.Out).RootElement.GetProperty("embeddings").GetInt64(), Is.EqualTo(3));
        }
        var fromFile = Candidates(Run("identify", _faces[3], "--gallery", file, "--weights", _weights, "--json"));
        var fromDatabase = Candidates(Run("identify", _faces[3], "--gallery", database, "--weights", _weights, "--json"));
        Assert.That(fromDatabase.Select(c => c.Name), Is.EqualTo(fromFile.Select(c => c.Name)));
        Assert.That(fromDatabase.Select(c => c.Distance), Is.EqualTo(fromFile.Select(c => c.Distance)).Within(1e-5f));
        Assert.That(fromFile, Has.Count.EqualTo(2));
        var verifyFile = JsonDocument.Parse(Run("verify", _faces[3], "--gallery", file, "--name", "alice", "--weights", _weights, "--json").Out).RootElement;
        var verifyDatabase = JsonDocument.Parse(Run("verify", _faces[3], "--gallery", database, "--name", "alice", "--weights", _weights, "--json").Out).RootElement;
        Assert.That(verifyDatabase.GetProperty("distance").GetSingle(), Is.EqualTo(verifyFile.GetProperty("distance").GetSingle()).Within(1e-5f));
        Assert.That(verifyDatabase.GetProperty("isMatch").GetBoolean(), Is.EqualTo(verifyFile.GetProperty("isMatch").GetBoolean()));

        var again = Run("enroll", "--gallery", database, "--name", "bob", _faces[3], "--weights", _weights);
        Assert.That(again.Exit, Is.EqualTo(2));
        Assert.That(again.Err, Does.Contain("already in gallery").And.Contain("--append"));
    }

    [Test]
    public void Export_and_import_move_a_gallery_between_postgresql_and_a_file()
    {
        var database = Uri(PostgresTestServer.NewSchema());
        Assert.That(Run("enroll", "--gallery", database, "--name", "O'Brien \\ \"quoted\"", _faces[0], _faces[1], "--weights", _weights).Exit, Is.EqualTo(0));
        Assert.That(Run("enroll", "--gallery", database, "--name", "Zoë", _faces[2], "--weights", _weights).Exit, Is.EqualTo(0));
        var exported = _folder.File("exported.gallery");
        var export = Run("gallery", "export", exported, "--gallery", database);
        Assert.That(export.Exit, Is.EqualTo(0), export.Err);

        var copy = Uri(PostgresTestServer.NewSchema());
        var import = Run("gallery", "import", exported, "--gallery", copy, "--json");
        Assert.That(import.Exit, Is.EqualTo(0), import.Err);
        Assert.That(JsonDocument.Parse(import.Out).RootElement.GetProperty("embeddings").GetInt64(), Is.EqualTo(3));
        var listed = JsonDocument.Parse(Run("gallery", "list", "--gallery", copy, "--json").Out).RootElement;
        Assert.That(listed.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("name").GetString()), Is.EqualTo(new[] { "O'Brien \\ \"quoted\"", "Zoë" }));

        var fromCopy = Candidates(Run("identify", _faces[2], "--gallery", copy, "--weights", _weights, "--json"));
        var fromFile = Candidates(Run("identify", _faces[2], "--gallery", exported, "--weights", _weights, "--json"));
        Assert.That(fromCopy.Select(c => c.Name), Is.EqualTo(fromFile.Select(c => c.Name)));
        Assert.That(fromCopy.Select(c => c.Distance), Is.EqualTo(fromFile.Select(c => c.Distance)).Within(1e-5f));

        var twice = Run("gallery", "import", exported, "--gallery", copy);
        Assert.That(twice.Exit, Is.EqualTo(2));
        Assert.That(twice.Err, Does.Contain("already in gallery"));
        Assert.That(Run("gallery", "rename", "Zoë", "Zoe", "--gallery", copy).Exit, Is.EqualTo(0));
        Assert.That(Run("gallery", "remove", "Zoe", "--gallery", copy).Exit, Is.EqualTo(0));
        Assert.That(JsonDocument.Parse(Run("gallery", "list", "--gallery", copy, "--json").Out).RootElement.GetProperty("embeddings").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public void A_server_that_is_down_or_a_gallery_of_other_weights_is_exit_code_2_with_one_line()
    {
        var down = Run("identify", _faces[0], "--gallery", "postgresql://postgres:secret@127.0.0.1:1/postgres?connect_timeout=3", "--weights", _weights);
        Assert.That(down.Exit, Is.EqualTo(2), down.Err);
        Assert.That(down.Err.Trim(), Does.Contain("cannot be reached").And.Not.Contain("\n"));
        Assert.That(down.Err, Does.Not.Contain("secret"));

        var database = Uri(PostgresTestServer.NewSchema());
        Assert.That(Run("enroll", "--gallery", database, "--name", "alice", _faces[0], "--weights", _weights).Exit, Is.EqualTo(0));
        var other = _folder.File("net2.weights");
        File.WriteAllText(other, "2");
        var mismatch = Run("identify", _faces[0], "--gallery", database, "--weights", other);
        Assert.That(mismatch.Exit, Is.EqualTo(2));
        Assert.That(mismatch.Err, Does.Contain("was built with weights"));
        var missing = Run("gallery", "list", "--gallery", Uri(PostgresTestServer.NewSchema()));
        Assert.That(missing.Exit, Is.EqualTo(2));
        Assert.That(missing.Err, Does.Contain("no gallery in schema"));
    }

    private static List<(string Name, float Distance)> Candidates((int Exit, string Out, string Err) run)
    {
        Assert.That(run.Exit, Is.EqualTo(0), run.Err);
        return JsonDocument.Parse(run.Out).RootElement.GetProperty("candidates").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("distance").GetSingle())).ToList();
    }
}
