using System.Security.Cryptography;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Pretrained;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;
using Behaviour = FaceNet.Net.Tests.Pretrained.FixtureServer.Behaviour;

namespace FaceNet.Net.Tests.Pretrained;

/// <summary>
/// <see cref="WeightsCache"/> against a real HTTP server on 127.0.0.1 serving the shared fixture weights: complete
/// download, resume, truncation, wrong file, HTTP errors, cancellation, concurrent fetches, offline mode, trust on
/// first use, the mirror. No test touches the internet: every catalogue here points at the local server.
/// </summary>
public class WeightsCacheTests
{
    private FixtureServer _server = null!;
    private TempFolder _cache = null!;

    private static readonly Lazy<byte[]> Reference128 = new(() => File.ReadAllBytes(SharedFixtures.Path("fixtures", "reference-128", "weights.h5")));

    private static byte[] Mtcnn(string network) => File.ReadAllBytes(SharedFixtures.Path("fixtures", "mtcnn", network + ".pt"));

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

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

    private WeightsCache Cache(IReadOnlyList<PretrainedWeights>? catalog = null, bool offline = false, string? sha256 = null, string? mirror = null) => new(new WeightsCacheOptions
    {
        CacheFolder = _cache.Path,
        Offline = offline,
        ExpectedSha256 = sha256,
        MirrorBaseUrl = mirror,
        Catalog = catalog ?? [],
        Timeout = TimeSpan.FromSeconds(20),
        LockTimeout = TimeSpan.FromSeconds(60),
    });

    private static PretrainedWeights FaceNetEntry(string name, string url, string? sha = null) =>
        new(name, PretrainedKind.FaceNet, [new(url[(url.LastIndexOf('/') + 1)..], url, null, sha)], 128, PreprocessingMode.Fixed, null, null, "test", "test server");

    private string[] CacheContents() =>
        Directory.GetFiles(_cache.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_cache.Path, f)).Order(StringComparer.Ordinal).ToArray();

    [Test]
    public void The_catalogue_holds_the_published_entries_with_their_urls_and_the_pinned_mtcnn_hashes()
    {
        Assert.That(PretrainedCatalog.All.Select(e => e.Name), Is.EqualTo(new[] { "vggface2", "casia-webface", "deepface-facenet", "deepface-facenet512", "keras-facenet", "mtcnn" }));
        Assert.That(PretrainedCatalog.Find("VGGFace2")!.Files[0].Url, Is.EqualTo("https://github.com/timesler/facenet-pytorch/releases/download/v2.2.9/20180402-114759-vggface2.pt"));
        Assert.That(PretrainedCatalog.Find("vggface2")!.Preprocessing, Is.EqualTo(PreprocessingMode.Fixed));
        Assert.That(PretrainedCatalog.Find("deepface-facenet512")!.EmbeddingSize, Is.EqualTo(512));
        Assert.That(PretrainedCatalog.Find("keras-facenet")!.IsDownloadable, Is.False);
        Assert.That(PretrainedCatalog.FindByFileName("/cache/20180408-102900-casia-webface.pt")!.Name, Is.EqualTo("casia-webface"));
        Assert.That(PretrainedCatalog.FindByFileName("pnet.pt"), Is.Null, "only FaceNet entries");
        var mtcnn = PretrainedCatalog.Find("mtcnn")!;
        foreach (var file in mtcnn.Files)
        {
            var bytes = Mtcnn(Path.GetFileNameWithoutExtension(file.FileName));
            Assert.That(file.Sha256, Is.EqualTo(Sha(bytes)), $"{file.FileName}: the pinned hash is the fixture's (byte-identical to facenet-pytorch's)");
            Assert.That(file.Size, Is.EqualTo(bytes.Length));
            Assert.That(file.Url, Does.StartWith("https://raw.githubusercontent.com/timesler/facenet-pytorch/787da06156087cd6b616fe6608213722bddc30cd/data/"));
        }
    }

    [Test]
    public async Task A_complete_download_is_checked_cached_with_its_hash_recorded_and_not_fetched_again()
    {
        var url = _server.Serve("weights.h5", Reference128.Value);
        var cache = Cache([FaceNetEntry("fixture-128", url)]);
        var reports = new List<WeightsDownloadProgress>();
        var first = await cache.FetchAsync("fixture-128", new SyncProgress(reports.Add));
        Assert.That(first.Path, Is.EqualTo(Path.Combine(_cache.Path, "weights.h5")));
        Assert.That(first.Sha256, Is.EqualTo(Sha(Reference128.Value)));
        Assert.That(first.Files[0].StructureChecked, Is.True);
        Assert.That(first.Files[0].Downloaded, Is.True);
        Assert.That(File.ReadAllBytes(first.Path), Is.EqualTo(Reference128.Value));
        Assert.That(CacheContents(), Is.EqualTo(new[] { "weights.h5", "weights.h5.sha256" }), "no .download or .lock file is left");
        Assert.That(File.ReadAllText(first.Path + ".sha256").Trim(), Is.EqualTo(first.Sha256));
        Assert.That(reports[^1].BytesReceived, Is.EqualTo(Reference128.Value.Length));
        Assert.That(reports[^1].Fraction, Is.EqualTo(1.0));

        var again = await cache.FetchAsync("fixture-128");
        Assert.That(again.Path, Is.EqualTo(first.Path));
        Assert.That(again.Files[0].Downloaded, Is.False);
        Assert.That(again.Sha256, Is.EqualTo(first.Sha256));
        Assert.That(_server.CountOf("weights.h5"), Is.EqualTo(1), "a cached file is not fetched again");
    }

    [Test]
    public async Task A_download_dropped_half_way_resumes_with_a_range_request()
    {
        var onet = Mtcnn("onet");
        var url = _server.Serve("onet.pt", onet, Behaviour.DropHalfwayOnce);
        var path = await Cache(sha256: Sha(onet)).GetAsync(url);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(onet));
        var requests = _server.Requests.Where(r => r.Path == "/onet.pt").ToList();
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[0].Range, Is.Null);
        Assert.That(requests[1].Range, Does.Match("^bytes=[1-9][0-9]*-$"), "the second request asks only for the rest");
        Assert.That(CacheContents(), Is.EqualTo(new[] { "onet.pt", "onet.pt.sha256" }));
    }

    [Test]
    public void A_connection_dropped_every_time_fails_after_the_retries_and_leaves_nothing()
    {
        var url = _server.Serve("onet.pt", Mtcnn("onet"), Behaviour.DropHalfwayAlways);
        var e = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache().GetAsync(url));
        Assert.That(e!.Message, Does.Contain("interrupted").And.Contain(url));
        Assert.That(CacheContents(), Is.Empty);
    }

    [Test]
    public void A_truncated_file_fails_its_pinned_size_or_hash_or_its_structure_and_leaves_nothing()
    {
        var pnet = Mtcnn("pnet");
        var half = pnet[..(pnet.Length / 2)];
        var catalog = new PretrainedWeights[]
        {
            new("fixture-mtcnn", PretrainedKind.Mtcnn, [new("pnet.pt", _server.Serve("pnet.pt", half), pnet.Length, Sha(pnet))], null, null, null, null, "test", "test"),
            FaceNetEntry("fixture-128", _server.Serve("weights.h5", Reference128.Value[..(Reference128.Value.Length / 2)])),
        };
        var sized = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(catalog).GetAsync("fixture-mtcnn"));
        Assert.That(sized!.Message, Does.Contain("pnet.pt").And.Contain("wrong file"));
        var unpinned = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(catalog).GetAsync("fixture-128"));
        Assert.That(unpinned!.Message, Does.Contain("not usable weights"), "without a hash, the structural check refuses it");
        Assert.That(CacheContents(), Is.Empty);
    }

    [Test]
    public void The_wrong_file_fails_the_checksum_and_a_non_weights_file_the_structure_and_nothing_is_left()
    {
        var onet = Mtcnn("onet");
        var wrong = _server.Serve("onet.pt", Mtcnn("rnet"));
        var mismatch = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(sha256: Sha(onet)).GetAsync(wrong));
        Assert.That(mismatch!.Message, Does.Contain("SHA-256").And.Contain(Sha(onet)));
        var junk = _server.Serve("model.h5", RandomNumberGenerator.GetBytes(100_000));
        var notWeights = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache().GetAsync(junk));
        Assert.That(notWeights!.Message, Does.Contain("not usable weights").And.Contain("model.h5"));
        Assert.That(CacheContents(), Is.Empty);
    }

    [TestCase(404)]
    [TestCase(500)]
    public void An_http_error_names_the_status_and_leaves_nothing(int status)
    {
        var url = _server.Fail("gone.pt", status);
        var e = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache().GetAsync(url));
        Assert.That(e!.Message, Does.Contain($"HTTP {status}").And.Contain(url));
        Assert.That(CacheContents(), Is.Empty);
    }

    [Test]
    public async Task Cancelling_a_slow_download_stops_it_promptly_and_the_next_call_resumes()
    {
        var onet = Mtcnn("onet");
        var url = _server.Serve("onet.pt", onet, Behaviour.Slow);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.BytesReceived >= 16384) cancel.Cancel(); });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(async () => await Cache(sha256: Sha(onet)).GetAsync(url, progress, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the whole file would take about 40 s");
        Assert.That(File.Exists(Path.Combine(_cache.Path, "onet.pt")), Is.False);
        Assert.That(CacheContents(), Is.EqualTo(new[] { "onet.download.pt" }), "only the resumable part is kept");

        _server.Serve("onet.pt", onet);
        var path = await Cache(sha256: Sha(onet)).GetAsync(url);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(onet));
        Assert.That(_server.Requests.Last(r => r.Path == "/onet.pt").Range, Does.Match("^bytes=[1-9][0-9]*-$"));
        Assert.That(CacheContents(), Is.EqualTo(new[] { "onet.pt", "onet.pt.sha256" }));
    }

    [Test]
    public async Task Concurrent_fetches_of_the_same_file_download_it_once()
    {
        var url = _server.Serve("weights.h5", Reference128.Value, Behaviour.Throttled);
        var catalog = new[] { FaceNetEntry("fixture-128", url) };
        var paths = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Cache(catalog).GetAsync("fixture-128"))));
        Assert.That(paths.Distinct(), Has.Exactly(1).Items);
        Assert.That(_server.CountOf("weights.h5"), Is.EqualTo(1));
        Assert.That(CacheContents(), Is.EqualTo(new[] { "weights.h5", "weights.h5.sha256" }));
    }

    [Test]
    public async Task Offline_uses_only_the_cache_and_names_what_is_missing_and_how_to_fetch_it()
    {
        var onet = Mtcnn("onet");
        var catalog = new[] { new PretrainedWeights("fixture-mtcnn", PretrainedKind.Mtcnn, [new("onet.pt", _server.Serve("onet.pt", onet), onet.Length, Sha(onet))], null, null, null, null, "test", "test") };
        var e = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(catalog, offline: true).GetAsync("fixture-mtcnn"));
        Assert.That(e!.Message, Does.Contain("fixture-mtcnn").And.Contain("onet.pt").And.Contain("offline").And.Contain("facenet weights get fixture-mtcnn"));
        Assert.That(_server.Requests, Is.Empty, "offline means no network access at all");
        Assert.That(CacheContents(), Is.Empty);

        var folder = await Cache(catalog).GetAsync("fixture-mtcnn");
        Assert.That(folder, Is.EqualTo(Path.Combine(_cache.Path, "fixture-mtcnn")), "MTCNN weights are a folder");
        int requests = _server.Requests.Count;
        Assert.That(await Cache(catalog, offline: true).GetAsync("fixture-mtcnn"), Is.EqualTo(folder));
        Assert.That(_server.Requests, Has.Count.EqualTo(requests));
    }

    [Test]
    public async Task A_cached_file_that_changed_since_its_first_download_is_refused()
    {
        var url = _server.Serve("weights.h5", Reference128.Value);
        var catalog = new[] { FaceNetEntry("fixture-128", url) };
        var path = await Cache(catalog).GetAsync("fixture-128");
        using (var stream = File.OpenWrite(path)) { stream.Position = stream.Length - 10; stream.WriteByte(0x5a); }
        var e = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache(catalog).GetAsync("fixture-128"));
        Assert.That(e!.Message, Does.Contain("changed since it was first fetched").And.Contain(path));
    }

    [Test]
    public async Task A_mirror_replaces_the_base_and_keeps_the_file_name()
    {
        var onet = Mtcnn("onet");
        _server.Serve("onet.pt", onet);
        var catalog = new[] { new PretrainedWeights("fixture-mtcnn", PretrainedKind.Mtcnn, [new("onet.pt", "https://example.invalid/some/path/onet.pt", onet.Length, Sha(onet))], null, null, null, null, "test", "test") };
        var folder = await Cache(catalog, mirror: _server.BaseUrl).GetAsync("fixture-mtcnn");
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "onet.pt")), Is.EqualTo(onet));
        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/onet.pt" }));
    }

    [Test]
    public async Task Redirects_are_followed_and_the_file_keeps_the_name_of_the_url_asked_for()
    {
        var onet = Mtcnn("onet");
        _server.Serve("objects/abc123", onet);
        var url = _server.Redirect("onet.pt", "objects/abc123");
        var path = await Cache(sha256: Sha(onet)).GetAsync(url);
        Assert.That(path, Is.EqualTo(Path.Combine(_cache.Path, "onet.pt")));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(onet));
        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/onet.pt", "/objects/abc123" }));
    }

    [Test]
    public void Unknown_names_and_bad_hashes_are_refused_before_any_request()
    {
        var e = Assert.ThrowsAsync<WeightsDownloadException>(() => Cache().GetAsync("no-such-weights"));
        Assert.That(e!.Message, Does.Contain("no-such-weights").And.Contain("facenet weights list"));
        Assert.That(() => Cache(sha256: "abc"), Throws.ArgumentException);
        Assert.That(_server.Requests, Is.Empty);
    }

    [Test]
    public async Task FromPretrainedAsync_loads_the_fetched_weights_with_the_catalogue_preprocessing()
    {
        var url = _server.Serve("weights.h5", Reference128.Value);
        using var encoder = await FaceEncoder.FromPretrainedAsync("fixture-128", cache: new WeightsCacheOptions { CacheFolder = _cache.Path, Catalog = [FaceNetEntry("fixture-128", url)] });
        Assert.That(encoder.EmbeddingSize, Is.EqualTo(128));
        Assert.That(encoder.Preprocessing, Is.EqualTo(PreprocessingMode.Fixed), "the catalogue entry's, as the file records none");
        using var unit = await FaceEncoder.FromPretrainedAsync("fixture-128", new FaceEncoderOptions { Preprocessing = PreprocessingMode.Unit },
            new WeightsCacheOptions { CacheFolder = _cache.Path, Offline = true, Catalog = [FaceNetEntry("fixture-128", url)] });
        Assert.That(unit.Preprocessing, Is.EqualTo(PreprocessingMode.Unit), "the option wins");
    }

    [Test]
    public async Task A_pytorch_file_is_checked_structurally_where_this_build_reads_pt_weights()
    {
        var ptPath = SharedFixtures.Path("fixtures", "reference-128", "facenet-pytorch-128.pt");
        var pt = File.ReadAllBytes(ptPath);
        bool readsPt;
        try { FaceNet.Net.Weights.FaceNetWeights.Inspect(ptPath); readsPt = true; }
        catch (FaceNetException) { readsPt = false; }

        var fetched = await Cache(sha256: Sha(pt)).FetchAsync(_server.Serve("model.pt", pt));
        Assert.That(fetched.Files[0].StructureChecked, Is.EqualTo(readsPt), "checked structurally exactly when the .pt loader is in this build");

        var truncated = _server.Serve("half.pt", pt[..(pt.Length / 2)]);
        if (readsPt)
        {
            Assert.ThrowsAsync<WeightsDownloadException>(() => Cache().GetAsync(truncated));
            Assert.That(File.Exists(Path.Combine(_cache.Path, "half.pt")), Is.False);
        }
        else
        {
            // Without the .pt loader a PyTorch file with no known hash can be checked for nothing but being a pickle.
            var half = await Cache().FetchAsync(truncated);
            Assert.That(half.Files[0].StructureChecked, Is.False);
        }
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<WeightsDownloadProgress> report) : IProgress<WeightsDownloadProgress>
    {
        public void Report(WeightsDownloadProgress value) => report(value);
    }
}
