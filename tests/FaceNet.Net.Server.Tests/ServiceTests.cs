using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Server.Tests;

/// <summary>
/// The HTTP service through real HTTP on 127.0.0.1: every endpoint with the reference weights and faces, every kind of
/// bad input as a 4xx problem+json (never a 5xx), and 200 requests from 16 concurrent clients.
/// </summary>
[Category(TestCategories.Service)]
[NonParallelizable] // one service per class, configured through the process's environment
public class ServiceTests
{
    private ServiceHost _host = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _host = ServiceHost.Start();
        _client = _host.Client();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client?.Dispose();
        if (_host is not null) await _host.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task Verify_gives_the_distance_the_library_computes_and_the_verdict()
    {
        using var encoder = FaceEncoder.FromWeights(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"));
        var a = encoder.Encode(Uploads.Aligned("paul_rudd"));
        var b = encoder.Encode(Uploads.Aligned("kate_siegel"));
        float expected = a.DistanceTo(b);

        using var response = await _client.PostAsync("v1/verify", Uploads.Files(("image1", Uploads.Aligned("paul_rudd")), ("image2", Uploads.Aligned("kate_siegel"))));
        var body = await Json(response, HttpStatusCode.OK);
        Assert.That(body.GetProperty("distance").GetSingle(), Is.EqualTo(expected).Within(1e-4));
        Assert.That(body.GetProperty("threshold").GetSingle(), Is.EqualTo(VerificationThresholds.Euclidean));
        Assert.That(body.GetProperty("isMatch").GetBoolean(), Is.EqualTo(expected < VerificationThresholds.Euclidean));

        using var same = await _client.PostAsync("v1/verify", Uploads.Files(("image1", Uploads.Aligned("paul_rudd")), ("image2", Uploads.Aligned("paul_rudd"))));
        var sameBody = await Json(same, HttpStatusCode.OK);
        Assert.That(sameBody.GetProperty("distance").GetSingle(), Is.LessThan(1e-3));
        Assert.That(sameBody.GetProperty("isMatch").GetBoolean(), Is.True);
    }

    [Test, Order(2)]
    public async Task Identities_are_enrolled_listed_extended_identified_and_removed()
    {
        using (var put = await _client.PutAsync("v1/identities/paul", Uploads.Files(("image", Uploads.Aligned("paul_rudd")))))
            Assert.That((await Json(put, HttpStatusCode.Created)).GetProperty("faces").GetInt32(), Is.EqualTo(1));
        using (var put = await _client.PutAsync("v1/identities/kate", Uploads.Files(("image", Uploads.Aligned("kate_siegel")))))
            await Json(put, HttpStatusCode.Created);
        using (var post = await _client.PostAsync("v1/identities/paul/faces", Uploads.Files(("image", Uploads.Photo("paul_rudd.jpg")))))
            Assert.That((await Json(post, HttpStatusCode.OK)).GetProperty("faces").GetInt32(), Is.EqualTo(2), "the photo's face was detected and added");

        var list = await Json(await _client.GetAsync("v1/identities"), HttpStatusCode.OK);
        Assert.That(list.GetProperty("identities").EnumerateArray().Select(i => (i.GetProperty("name").GetString(), i.GetProperty("faces").GetInt32())),
            Is.SupersetOf(new[] { ("paul", 2), ("kate", 1) }));

        using (var identify = await _client.PostAsync("v1/identify", Uploads.Files(("image", Uploads.Aligned("kate_siegel")))))
        {
            var faces = (await Json(identify, HttpStatusCode.OK)).GetProperty("faces");
            Assert.That(faces.GetArrayLength(), Is.EqualTo(1));
            Assert.That(faces[0].GetProperty("identity").GetString(), Is.EqualTo("kate"));
            Assert.That(faces[0].GetProperty("distance").GetSingle(), Is.LessThan(1e-3));
            Assert.That(faces[0].GetProperty("box").ValueKind, Is.EqualTo(JsonValueKind.Null), "an aligned crop has no box");
        }

        using (var identify = await _client.PostAsync("v1/identify", Uploads.Files(("image", Uploads.Photo("multiface.jpg")))))
        {
            var faces = (await Json(identify, HttpStatusCode.OK)).GetProperty("faces");
            Assert.That(faces.GetArrayLength(), Is.EqualTo(6), "every face of the six-face photo");
            Assert.That(faces.EnumerateArray().All(f => f.GetProperty("box").GetArrayLength() == 4), Is.True);
        }

        using (var delete = await _client.DeleteAsync("v1/identities/kate"))
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var after = await Json(await _client.GetAsync("v1/identities"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("name").GetString()), Does.Not.Contain("kate"));
    }

    [Test]
    public async Task Health_and_the_OpenAPI_document_are_served_without_a_key()
    {
        using var anonymous = _host.Client(apiKey: null);
        using var health = await anonymous.GetAsync("health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await health.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));

        var openApi = await Json(await anonymous.GetAsync("openapi/v1.json"), HttpStatusCode.OK);
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.That(paths, Is.SupersetOf(new[] { "/v1/verify", "/v1/identify", "/v1/identities", "/v1/identities/{name}", "/v1/identities/{name}/faces" }));
    }

    private static IEnumerable<TestCaseData> BadRequests()
    {
        yield return new TestCaseData("POST", "v1/verify", (Func<HttpContent?>)(() => Uploads.Form(("image1", "not an image at all"u8.ToArray()), ("image2", "nor this"u8.ToArray()))), 422).SetName("Not an image");
        yield return new TestCaseData("POST", "v1/identify", (Func<HttpContent?>)(() => Uploads.Form(("image", new byte[ServiceHost.MaxRequestBytes + 1024]))), 413).SetName("An oversized upload");
        yield return new TestCaseData("POST", "v1/identify", (Func<HttpContent?>)(() => Uploads.Form(("image", Uploads.PngBomb()))), 422).SetName("A decompression bomb");
        yield return new TestCaseData("POST", "v1/verify", (Func<HttpContent?>)(() => Uploads.Files(("image1", Uploads.Aligned("paul_rudd")))), 400).SetName("A missing field");
        yield return new TestCaseData("POST", "v1/verify", (Func<HttpContent?>)(() => new StringContent("{}", System.Text.Encoding.UTF8, "application/json")), 415).SetName("Not a form");
        yield return new TestCaseData("DELETE", "v1/identities/nobody-enrolled-this", (Func<HttpContent?>)(() => null), 404).SetName("An unknown identity");
        yield return new TestCaseData("PUT", "v1/identities/%01bad", (Func<HttpContent?>)(() => Uploads.Files(("image", Uploads.Aligned("paul_rudd")))), 400).SetName("A name with a control character");
    }

    [TestCaseSource(nameof(BadRequests))]
    public async Task Bad_input_is_a_4xx_problem_that_says_what_to_fix(string method, string path, Func<HttpContent?> content, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content() };
        using var response = await _client.SendAsync(request);
        await AssertProblem(response, status);
    }

    [Test]
    public async Task A_wrong_or_missing_api_key_is_a_401_problem()
    {
        using var wrong = _host.Client(apiKey: "wrong");
        await AssertProblem(await wrong.GetAsync("v1/identities"), 401);
        using var none = _host.Client(apiKey: null);
        await AssertProblem(await none.PostAsync("v1/verify", Uploads.Files(("image1", Uploads.Aligned("paul_rudd")), ("image2", Uploads.Aligned("paul_rudd")))), 401);
    }

    [Test, Order(3)]
    public async Task Two_hundred_requests_from_sixteen_clients_give_no_5xx_and_an_exact_gallery_count()
    {
        const int requests = 200, clients = 16;
        var faces = new[] { "angelina_jolie", "bradley_cooper", "kate_siegel", "paul_rudd", "shea_whigham" }
            .Select(p => File.ReadAllBytes(Uploads.Aligned(p))).ToArray();
        int before = (await Json(await _client.GetAsync("v1/identities"), HttpStatusCode.OK)).GetProperty("count").GetInt32();

        var statuses = new ConcurrentBag<(string Kind, int Status)>();
        var latency = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        int next = -1, enrolled = 0;
        using var client = _host.Client();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var (kind, request) = (i % 4) switch
                {
                    0 => ("enroll", new HttpRequestMessage(HttpMethod.Put, $"v1/identities/load-{i}") { Content = Uploads.Form(("image", faces[i % 5])) }),
                    1 or 2 => ("verify", new HttpRequestMessage(HttpMethod.Post, "v1/verify") { Content = Uploads.Form(("image1", faces[i % 5]), ("image2", faces[(i + 1) % 5])) }),
                    _ => ("identify", new HttpRequestMessage(HttpMethod.Post, "v1/identify") { Content = Uploads.Form(("image", faces[i % 5])) }),
                };
                var started = Stopwatch.GetTimestamp();
                using (request)
                using (var response = await client.SendAsync(request))
                {
                    await response.Content.ReadAsByteArrayAsync();
                    latency.GetOrAdd(kind, _ => []).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    statuses.Add((kind, (int)response.StatusCode));
                    if (kind == "enroll" && response.StatusCode == HttpStatusCode.Created) Interlocked.Increment(ref enrolled);
                }
            }
        })).ToArray();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(workers);
        wall.Stop();

        foreach (var (kind, values) in latency.OrderBy(k => k.Key))
        {
            var sorted = values.OrderBy(v => v).ToArray();
            TestContext.Out.WriteLine($"{kind,-15} n={sorted.Length,3} p50={Percentile(sorted, 0.50),7:F0} ms  p99={Percentile(sorted, 0.99),7:F0} ms");
        }
        TestContext.Out.WriteLine($"{requests} requests from {clients} clients in {wall.Elapsed.TotalSeconds:F1} s");

        // The same two routes one request at a time: the latency of a request alone.
        foreach (var (kind, path) in new[] { ("verify alone", "v1/verify"), ("identify alone", "v1/identify") })
        {
            var alone = new List<double>();
            for (int i = 0; i < 20; i++)
            {
                using var form = kind.StartsWith("verify", StringComparison.Ordinal)
                    ? Uploads.Form(("image1", faces[i % 5]), ("image2", faces[(i + 1) % 5]))
                    : Uploads.Form(("image", faces[i % 5]));
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(path, form);
                await response.Content.ReadAsByteArrayAsync();
                alone.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                statuses.Add((kind, (int)response.StatusCode));
            }
            var sorted = alone.Order().ToArray();
            TestContext.Out.WriteLine($"{kind,-15} n={sorted.Length,3} p50={Percentile(sorted, 0.50),7:F0} ms  p99={Percentile(sorted, 0.99),7:F0} ms");
        }

        Assert.That(statuses.Where(s => s.Status >= 500), Is.Empty, "no 5xx");
        Assert.That(statuses.All(s => s.Status is 200 or 201), Is.True, string.Join(", ", statuses.Where(s => s.Status is not (200 or 201))));
        Assert.That(enrolled, Is.EqualTo(requests / 4));
        var after = await Json(await _client.GetAsync("v1/identities"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("count").GetInt32(), Is.EqualTo(before + requests / 4), "every enrolment counted once");
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(status));
            Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty, "says what to fix");
        }
    }
}
