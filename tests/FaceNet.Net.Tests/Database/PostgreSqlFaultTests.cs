using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FaceNet.Net.Embeddings;
using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Recognition;
using Npgsql;

namespace FaceNet.Net.Tests.Database;

/// <summary>
/// The PostgreSQL gallery's faults (docs/errors.md): server down or silent, connection dropped in the middle of an
/// enrolment, a table of other weights or another dimension; and what only it has: persistence across opens, the
/// approximate path, bulk enrolment, URIs and DI registration.
/// </summary>
[TestFixture]
[Category(TestCategories.Database)]
public sealed class PostgreSqlFaultTests
{
    private const string Weights = RandomEmbeddings.Source;

    private static PostgreSqlFaceGalleryOptions Fresh() => new() { Schema = PostgresTestServer.NewSchema() };

    [Test]
    public void A_server_that_is_down_is_a_clear_exception_within_the_timeout()
    {
        int port = PostgresTestServer.FreePort();
        var watch = Stopwatch.StartNew();
        var e = Assert.ThrowsAsync<PostgreSqlGalleryException>(async () =>
            await PostgreSqlFaceGallery.OpenAsync($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=3", Weights, 128, Fresh()));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(e!.Message, Does.Contain($"127.0.0.1:{port}").And.Contain("cannot be reached"));
    }

    [Test]
    public async Task A_server_that_never_answers_is_a_clear_exception_within_the_timeout_not_a_hang()
    {
        // Accepts the TCP connection and then says nothing: only the connection timeout can end the wait.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await listener.AcceptTcpClientAsync()); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
        });
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var watch = Stopwatch.StartNew();
            var e = Assert.ThrowsAsync<PostgreSqlGalleryException>(async () =>
                await PostgreSqlFaceGallery.OpenAsync($"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2", Weights, 128, Fresh()));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "bounded by Timeout=2");
            Assert.That(e!.Message, Does.Contain($"127.0.0.1:{port}"));
        }
        finally
        {
            listener.Stop();
            await accepting;
            foreach (var c in accepted) c.Dispose();
        }
    }

    [Test]
    public async Task A_connection_dropped_in_the_middle_of_an_enrolment_leaves_nothing_half_enrolled()
    {
        var connection = PostgresTestServer.ConnectionString;
        await using var gallery = await PostgreSqlFaceGallery.OpenAsync(connection, Weights, 128, Fresh());
        var random = new Random(21);
        await gallery.EnrollAsync("ann", [RandomEmbeddings.Next(random)]);
        // After the identity row and the COPY, before COMMIT: the server ends this backend, as a crash or a network cut would.
        gallery.BeforeCommit = async enrolling =>
        {
            await using var killer = new NpgsqlConnection(connection);
            await killer.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", killer);
            kill.Parameters.AddWithValue(enrolling.ProcessID);
            await kill.ExecuteScalarAsync();
        };
        var many = Enumerable.Range(0, 50).Select(_ => RandomEmbeddings.Next(random)).ToList();
        var e = Assert.ThrowsAsync<PostgreSqlGalleryException>(async () => await gallery.EnrollAsync("bob", many));
        Assert.That(e!.Message, Does.Contain("rolled back"));
        gallery.BeforeCommit = null;
        Assert.That(await gallery.ContainsAsync("bob"), Is.False);
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(1));
        await gallery.EnrollAsync("bob", many);
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(51), "the pool recovered: the next enrolment works");
    }

    [Test]
    public async Task A_table_made_with_other_weights_is_refused()
    {
        var options = Fresh();
        await using (var first = await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, "weights-a", 128, options))
            await first.EnrollAsync("ann", [RandomEmbeddings.Next(new Random(1), source: "weights-a")]);
        var e = Assert.ThrowsAsync<GalleryWeightsMismatchException>(async () =>
            await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, "weights-b", 128, options));
        Assert.That(e!.Message, Does.Contain("weights-a").And.Contain("weights-b").And.Contain(options.Schema));
        Assert.That(e.ExpectedFingerprint, Is.EqualTo("weights-b"));
    }

    [Test]
    public async Task A_table_of_another_dimension_is_refused()
    {
        var options = Fresh();
        await (await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 128, options)).DisposeAsync();
        var e = Assert.ThrowsAsync<GalleryWeightsMismatchException>(async () =>
            await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 512, options));
        Assert.That(e!.Message, Does.Contain("128-d").And.Contain("512-d"));
    }

    [Test]
    public async Task A_gallery_persists_across_opens_and_opens_whatever_its_weights_for_listing()
    {
        var options = Fresh();
        var random = new Random(31);
        var ann = RandomEmbeddings.Next(random);
        await using (var first = await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 128, options))
            await first.EnrollAsync("ann", [ann, RandomEmbeddings.Next(random)]);
        await using var again = await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 128, options);
        Assert.That((await again.IdentifyAsync(ann, 1)).Identity, Is.EqualTo("ann"));
        await using var existing = await PostgreSqlFaceGallery.OpenExistingAsync(PostgresTestServer.ConnectionString, options);
        Assert.That(existing.Fingerprint, Is.EqualTo(Weights));
        Assert.That(existing.EmbeddingSize, Is.EqualTo(128));
        var all = new List<KeyValuePair<string, IReadOnlyList<FaceEmbedding>>>();
        await foreach (var p in existing.ReadAllAsync()) all.Add(p);
        Assert.That(all.Single().Key, Is.EqualTo("ann"));
        Assert.That(all.Single().Value[0].Vector.ToArray(), Is.EqualTo(ann.Vector.ToArray()).Within(1e-7f));
        Assert.ThrowsAsync<PostgreSqlGalleryException>(async () => await PostgreSqlFaceGallery.OpenExistingAsync(PostgresTestServer.ConnectionString, Fresh()));
    }

    [Test]
    public async Task Bulk_enrolment_then_index_build_finds_what_exact_search_finds_and_pgvector_distances_are_close()
    {
        var random = new Random(41);
        var people = Enumerable.Range(0, 2000).Select(i => new KeyValuePair<string, IReadOnlyList<FaceEmbedding>>($"p{i}", [RandomEmbeddings.Next(random)])).ToList();
        var options = Fresh();
        await using var gallery = await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 128, options);
        await gallery.DropIndexAsync();
        await gallery.EnrollManyAsync(people);
        await gallery.BuildIndexAsync();
        await using var approximate = await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, 128, options with { ExactReRank = false });
        using var reference = new InMemoryFaceGallery(Weights, 128);
        foreach (var p in people) reference.Enroll(p.Key, p.Value);
        int agree = 0;
        for (int i = 0; i < 50; i++)
        {
            var probe = RandomEmbeddings.Near(people[i * 40].Value[0], random, 0.3);
            var exact = reference.Identify(probe, 1);
            var found = await gallery.IdentifyAsync(probe, 1, DistanceMetric.Euclidean, null, efSearch: 200, CancellationToken.None);
            var loose = await approximate.IdentifyAsync(probe, 1);
            if (found.Best!.Name == exact.Best!.Name)
            {
                agree++;
                Assert.That(found.Best.Distance, Is.EqualTo(exact.Best.Distance), "re-ranked distances are the in-memory gallery's");
            }
            Assert.That(loose.Best!.Distance, Is.EqualTo(Distances.Compute(probe, people.Single(p => p.Key == loose.Best.Name).Value[0], DistanceMetric.Euclidean)).Within(1e-5f));
        }
        Assert.That(agree, Is.GreaterThanOrEqualTo(49), "HNSW with ef_search 200 on 2000 rows");
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(2000));
    }

    [Test]
    public async Task A_postgresql_uri_with_a_schema_opens_through_the_factory_and_the_di_registration_adds_it_once()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresTestServer.ConnectionString);
        var schema = PostgresTestServer.NewSchema();
        var uri = $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}?schema={schema}&connect_timeout=10";
        var factory = new PostgreSqlFaceGalleryFactory();
        Assert.Multiple(() =>
        {
            Assert.That(factory.CanOpen(uri), Is.True);
            Assert.That(factory.CanOpen(PostgresTestServer.ConnectionString), Is.True);
            Assert.That(factory.CanOpen("people.gallery"), Is.False);
            Assert.That(new FileFaceGalleryFactory().CanOpen(uri), Is.False);
            Assert.That(new FileFaceGalleryFactory().CanOpen(PostgresTestServer.ConnectionString), Is.False);
        });
        await using (var gallery = await factory.OpenAsync(uri, Weights, 128))
        {
            await gallery.EnrollAsync("ann", [RandomEmbeddings.Next(new Random(2))]);
            Assert.That(((PostgreSqlFaceGallery)gallery).Schema, Is.EqualTo(schema));
        }
        Assert.ThrowsAsync<ArgumentException>(async () => await factory.OpenAsync(uri + "&bogus=1", Weights, 128));
    }
}
