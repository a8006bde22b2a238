using System.Security.Cryptography;
using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;
using FaceNet.Net.Tests.Pretrained;
using FaceNet.Net.Tests.Weights.Support;
using Behaviour = FaceNet.Net.Tests.Pretrained.FixtureServer.Behaviour;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// <c>facenet weights list|get</c> and catalogue names on the other commands, run as the built tool against a real
/// HTTP server on 127.0.0.1 (the catalogue's own names reach it through <c>--mirror</c>; nothing touches the internet).
/// </summary>
public class WeightsCommandTests
{
    private FixtureServer _server = null!;
    private TempFolder _cache = null!;

    [SetUp]
    public void SetUp()
    {
        _server = new FixtureServer();
        _cache = new TempFolder();
    }

    [TearDown]
    public void TearDown()
    {
        _server.Dispose();
        _cache.Dispose();
    }

    private static readonly Lazy<byte[]> Weights128 = new(() => File.ReadAllBytes(SharedFixtures.Path("fixtures", "reference-128", "weights.h5")));

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private string[] CacheContents() =>
        Directory.GetFiles(_cache.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_cache.Path, f)).Order(StringComparer.Ordinal).ToArray();

    private static readonly Dictionary<string, string?> NoEnvironment = new()
    {
        ["FACENET_CACHE"] = null, ["FACENET_OFFLINE"] = null, ["FACENET_MIRROR"] = null,
    };

    private static ProcessRunner.Result Facenet(params string[] arguments) => FacenetCli.Run(NoEnvironment, arguments);

    [Test]
    public void Must_show_2_get_with_the_right_sha256_prints_the_cached_path_and_the_weights_load_from_it()
    {
        // The 128-d reference weights (Keras layout; the loader tells formats by their bytes, not the name).
        var url = _server.Serve("file.pt", Weights128.Value);
        var get = Facenet("weights", "get", url, "--sha256", Sha(Weights128.Value), "--cache", _cache.Path, "--json");
        Assert.That(get.ExitCode, Is.EqualTo(0), get.ToString());
        using var json = JsonDocument.Parse(get.StandardOutput);
        var path = json.RootElement.GetProperty("path").GetString()!;
        Assert.That(path, Is.EqualTo(Path.Combine(_cache.Path, "file.pt")));
        Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo("file.pt"));
        Assert.That(json.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Sha(Weights128.Value)));
        Assert.That(json.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(Weights128.Value.Length));

        var reference = ReferenceCases.Load().First(c => c.Name.EndsWith(".f32", StringComparison.Ordinal));
        var encode = Facenet("encode", "--weights", path, "--raw-nhwc", reference.InputPath, "--json");
        Assert.That(encode.ExitCode, Is.EqualTo(0), encode.ToString());
        using var output = JsonDocument.Parse(encode.StandardOutput);
        var raw = output.RootElement.GetProperty("embeddings")[0].GetProperty("raw").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.That(ReferenceCases.MaxAbsDifference(raw, reference.Raw), Is.LessThan(ReferenceCases.Tolerance), "the cached weights give the reference embedding");
    }

    [Test]
    public void Must_show_2_a_wrong_sha256_or_a_truncated_file_exits_2_and_leaves_nothing_in_the_cache()
    {
        var url = _server.Serve("file.pt", Weights128.Value);
        var wrong = Facenet("weights", "get", url, "--sha256", new string('0', 64), "--cache", _cache.Path, "--json");
        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());
        Assert.That(wrong.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), wrong.ToString());
        Assert.That(wrong.StandardError, Does.Contain("SHA-256").And.Contain(url));
        Assert.That(CacheContents(), Is.Empty);

        var truncated = _server.Serve("truncated.pt", Weights128.Value[..(Weights128.Value.Length / 3)]);
        var right = Facenet("weights", "get", truncated, "--sha256", Sha(Weights128.Value), "--cache", _cache.Path);
        Assert.That(right.ExitCode, Is.EqualTo(2), right.ToString());
        var unpinned = Facenet("weights", "get", truncated, "--cache", _cache.Path);
        Assert.That(unpinned.ExitCode, Is.EqualTo(2), unpinned.ToString());
        Assert.That(unpinned.StandardError, Does.Contain("not usable weights"));
        var dropped = _server.Serve("dropped.pt", Weights128.Value, Behaviour.DropHalfwayAlways);
        var interrupted = Facenet("weights", "get", dropped, "--cache", _cache.Path);
        Assert.That(interrupted.ExitCode, Is.EqualTo(2), interrupted.ToString());
        Assert.That(interrupted.StandardError, Does.Contain("interrupted"));
        Assert.That(CacheContents(), Is.Empty, "no weights file and no temporary file");
    }

    [TestCase(404)]
    [TestCase(500)]
    public void An_http_error_exits_2_naming_the_status(int status)
    {
        var url = _server.Fail("missing.pt", status);
        var run = Facenet("weights", "get", url, "--cache", _cache.Path);
        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.StandardError, Does.Contain($"HTTP {status}"));
        Assert.That(CacheContents(), Is.Empty);
    }

    [Test]
    public void Must_show_3_list_json_has_every_entry_with_its_url_embedding_size_and_preprocessing()
    {
        var list = Facenet("weights", "list", "--json");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        using var json = JsonDocument.Parse(list.StandardOutput);
        var entries = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.That(entries.Keys, Is.EqualTo(new[] { "vggface2", "casia-webface", "deepface-facenet", "deepface-facenet512", "keras-facenet", "mtcnn" }));
        (string Url, int? D, string? Pre) Of(string name) => (
            entries[name].GetProperty("url").ValueKind == JsonValueKind.Null ? "null" : entries[name].GetProperty("url").GetString()!,
            entries[name].GetProperty("embeddingSize").ValueKind == JsonValueKind.Null ? null : entries[name].GetProperty("embeddingSize").GetInt32(),
            entries[name].GetProperty("preprocessing").ValueKind == JsonValueKind.Null ? null : entries[name].GetProperty("preprocessing").GetString());
        Assert.That(Of("vggface2"), Is.EqualTo(("https://github.com/timesler/facenet-pytorch/releases/download/v2.2.9/20180402-114759-vggface2.pt", (int?)512, "fixed")));
        Assert.That(Of("casia-webface"), Is.EqualTo(("https://github.com/timesler/facenet-pytorch/releases/download/v2.2.9/20180408-102900-casia-webface.pt", (int?)512, "fixed")));
        Assert.That(Of("deepface-facenet"), Is.EqualTo(("https://github.com/serengil/deepface_models/releases/download/v1.0/facenet_weights.h5", (int?)128, "prewhiten")));
        Assert.That(Of("deepface-facenet512"), Is.EqualTo(("https://github.com/serengil/deepface_models/releases/download/v1.0/facenet512_weights.h5", (int?)512, "prewhiten")));
        Assert.That(Of("keras-facenet"), Is.EqualTo(("null", (int?)128, "prewhiten")));
        Assert.That(Of("mtcnn").Url, Does.StartWith("https://raw.githubusercontent.com/timesler/facenet-pytorch/787da06156087cd6b616fe6608213722bddc30cd/data/"));
        Assert.That(entries["mtcnn"].GetProperty("files").EnumerateArray().Select(f => f.GetProperty("sha256").GetString()), Has.All.Length.EqualTo(64));
    }

    [Test]
    public void Must_show_3_get_mtcnn_through_a_mirror_fetches_the_three_files_and_checks_their_pinned_hashes()
    {
        foreach (var network in new[] { "pnet", "rnet", "onet" })
            _server.Serve(network + ".pt", File.ReadAllBytes(SharedFixtures.Path("fixtures", "mtcnn", network + ".pt")));
        var get = Facenet("weights", "get", "mtcnn", "--mirror", _server.BaseUrl, "--cache", _cache.Path, "--json");
        Assert.That(get.ExitCode, Is.EqualTo(0), get.ToString());
        using var json = JsonDocument.Parse(get.StandardOutput);
        Assert.That(json.RootElement.GetProperty("path").GetString(), Is.EqualTo(Path.Combine(_cache.Path, "mtcnn")));
        var hashes = json.RootElement.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("fileName").GetString()!, f => f.GetProperty("sha256").GetString());
        Assert.That(hashes, Is.EqualTo(new Dictionary<string, string?>
        {
            ["pnet.pt"] = "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
            ["rnet.pt"] = "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
            ["onet.pt"] = "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
        }));
        Assert.That(_server.Requests.Select(r => r.Path).Order(), Is.EqualTo(new[] { "/onet.pt", "/pnet.pt", "/rnet.pt" }));

        // The pinned hashes are enforced: a mirror serving another file under a pinned name is refused.
        using var other = new TempFolder();
        _server.Serve("pnet.pt", File.ReadAllBytes(SharedFixtures.Path("fixtures", "mtcnn", "rnet.pt")));
        var wrong = Facenet("weights", "get", "mtcnn", "--mirror", _server.BaseUrl, "--cache", other.Path);
        Assert.That(wrong.ExitCode, Is.EqualTo(2), wrong.ToString());
        Assert.That(Directory.GetFiles(other.Path, "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void Two_processes_fetching_the_same_file_at_once_download_it_once()
    {
        var url = _server.Serve("weights.h5", Weights128.Value, Behaviour.Throttled);
        var runs = Enumerable.Range(0, 2)
            .Select(_ => Task.Run(() => Facenet("weights", "get", url, "--cache", _cache.Path, "--json")))
            .ToArray();
        Task.WaitAll(runs, TimeSpan.FromMinutes(3));
        foreach (var run in runs) Assert.That(run.Result.ExitCode, Is.EqualTo(0), run.Result.ToString());
        var paths = runs.Select(r => JsonDocument.Parse(r.Result.StandardOutput).RootElement.GetProperty("path").GetString()).Distinct().ToList();
        Assert.That(paths, Is.EqualTo(new[] { Path.Combine(_cache.Path, "weights.h5") }));
        Assert.That(_server.CountOf("weights.h5"), Is.EqualTo(1), "downloaded once");
        Assert.That(CacheContents(), Is.EqualTo(new[] { "weights.h5", "weights.h5.sha256" }));
    }

    [Test]
    public void Offline_a_missing_file_exits_2_naming_it_and_the_command_that_fetches_it()
    {
        var get = Facenet("weights", "get", "vggface2", "--offline", "--cache", _cache.Path);
        Assert.That(get.ExitCode, Is.EqualTo(2), get.ToString());
        Assert.That(get.StandardError, Does.Contain("'vggface2'").And.Contain("20180402-114759-vggface2.pt").And.Contain("facenet weights get vggface2"));

        var environment = new Dictionary<string, string?>(NoEnvironment) { ["FACENET_OFFLINE"] = "1", ["FACENET_CACHE"] = _cache.Path };
        var photo = SharedFixtures.Path("fixtures", "faces", "photos", "paul_rudd.jpg");
        var verify = FacenetCli.Run(environment, "verify", photo, photo);
        Assert.That(verify.ExitCode, Is.EqualTo(2), verify.ToString());
        Assert.That(verify.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1), verify.ToString());
        Assert.That(verify.StandardError, Does.Contain("vggface2").And.Contain("offline"));
        Assert.That(_server.Requests, Is.Empty);
        Assert.That(CacheContents(), Is.Empty);
    }

    [Test]
    public void Weights_and_mtcnn_accept_catalogue_names_fetched_through_the_mirror()
    {
        // deepface-facenet is a 128-d Keras file in the save_weights layout, as the reference weights are.
        _server.Serve("facenet_weights.h5", Weights128.Value);
        var face = SharedFixtures.Path("fixtures", "faces", "aligned", "paul_rudd.png");
        var verify = Facenet("verify", face, face, "--weights", "deepface-facenet", "--mirror", _server.BaseUrl, "--cache", _cache.Path, "--json");
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.ToString());
        Assert.That(JsonDocument.Parse(verify.StandardOutput).RootElement.GetProperty("isMatch").GetBoolean(), Is.True);
        Assert.That(File.Exists(Path.Combine(_cache.Path, "facenet_weights.h5")));

        // encode takes the catalogue's preprocessing (prewhiten) for a Keras file that records none, and reads the cache offline.
        var encode = Facenet("encode", "--weights", "deepface-facenet", "--offline", "--cache", _cache.Path, "--json", face);
        Assert.That(encode.ExitCode, Is.EqualTo(0), encode.ToString());
        var byPath = Facenet("encode", "--weights", Path.Combine(_cache.Path, "facenet_weights.h5"), "--preprocess", "prewhiten", "--json", face);
        Assert.That(byPath.ExitCode, Is.EqualTo(0), byPath.ToString());
        Assert.That(JsonDocument.Parse(encode.StandardOutput).RootElement.GetProperty("embeddings")[0].GetProperty("normalized").ToString(),
            Is.EqualTo(JsonDocument.Parse(byPath.StandardOutput).RootElement.GetProperty("embeddings")[0].GetProperty("normalized").ToString()));

        foreach (var network in new[] { "pnet", "rnet", "onet" })
            _server.Serve(network + ".pt", File.ReadAllBytes(SharedFixtures.Path("fixtures", "mtcnn", network + ".pt")));
        var detect = Facenet("detect", "--mtcnn", "mtcnn", "--mirror", _server.BaseUrl, "--cache", _cache.Path, "--json",
            SharedFixtures.Path("fixtures", "faces", "photos", "paul_rudd.jpg"));
        Assert.That(detect.ExitCode, Is.EqualTo(0), detect.ToString());

        var swapped = Facenet("verify", face, face, "--weights", "mtcnn", "--cache", _cache.Path, "--offline");
        Assert.That(swapped.ExitCode, Is.EqualTo(2), swapped.ToString());
        Assert.That(swapped.StandardError, Does.Contain("--mtcnn"));
        var unknown = Facenet("verify", face, face, "--weights", "nosuchweights", "--cache", _cache.Path);
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        Assert.That(unknown.StandardError, Does.Contain("facenet weights list"));
    }
}
