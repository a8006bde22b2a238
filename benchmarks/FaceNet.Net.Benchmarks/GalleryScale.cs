using System.Diagnostics;
using System.Globalization;
using FaceNet.Net.Embeddings;
using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// <c>--gallery-scale --size N --dim D --postgres CONNECTION [--ef 40,100,200] [--probes 500] [--data uniform|clustered]
/// [--latent K] [--per-identity P]</c>: the in-memory and the PostgreSQL + pgvector gallery side by side in one run, on
/// N seeded synthetic unit embeddings: enrolment rate, index build time (the in-memory search matrix; pgvector's HNSW
/// graph, built once after a binary COPY load), probe latency p50/p99 (top-10, sequential) and recall@1 / recall@10
/// against exact search (the in-memory gallery's answer: recall@1 = the identity PostgreSQL ranks first is the exact
/// search's first identity; recall@10 = the share of the exact top-10 identities PostgreSQL returns) for each
/// <c>ef_search</c>. Writes a Markdown table. The PostgreSQL gallery is created in a new schema and dropped afterwards.
/// </summary>
/// <remarks>
/// <para><c>uniform</c> (the default, kept for comparison with the first measurements): uniformly random unit vectors,
/// one per identity; probes are enrolled vectors plus noise (Euclidean distance about 0.23 to one). No locality at all:
/// the worst case for a proximity graph.</para>
/// <para><c>clustered</c>: a MODEL of face embeddings, not real ones (<see cref="ClusteredModel"/> states its
/// assumptions): N / P identities with P embeddings each; each identity's centre lies near a K-dimensional subspace;
/// an embedding is the centre plus within-identity noise; a probe is a new sample of an enrolled identity (a photo
/// not in the gallery), never one of its enrolled embeddings. The run prints the distances it measured on the data.</para>
/// </remarks>
public static class GalleryScale
{
    private const string Weights = "benchmark-random";

    /// <summary>Runs the comparison and writes the table to <paramref name="output"/>.</summary>
    public static async Task RunAsync(TextWriter output, int size, int dimension, string connectionString, int[] efSearch, int probes,
        string data = "uniform", int latent = 24, int perIdentity = 5)
    {
        KeyValuePair<string, IReadOnlyList<FaceEmbedding>>[] people;
        List<FaceEmbedding> probeSet;
        int[]? truth = null; // clustered: the index of each probe's identity
        if (data == "clustered")
        {
            var model = new ClusteredModel(dimension, latent, seed: 1234);
            int identities = size / perIdentity;
            output.WriteLine($"{identities * perIdentity:N0} x {dimension} clustered model embeddings ({identities:N0} identities x {perIdentity}, latent {latent}), {probes} probes (new samples of enrolled identities), top-10, {Environment.ProcessorCount} cores, UTC {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}");
            (people, probeSet, truth) = model.Generate(identities, perIdentity, probes);
            size = identities * perIdentity;
            var (same, different) = model.PairDistances(people, 5000);
            output.WriteLine($"data: same-identity distance (two enrolled embeddings) p5/p50/p95 {Quantiles(same)}; different identities (random pair) {Quantiles(different)}");
        }
        else
        {
            var random = new Random(1234);
            output.WriteLine($"{size:N0} x {dimension} random unit embeddings (one per identity), {probes} probes, top-10, {Environment.ProcessorCount} cores, UTC {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}");
            people = new KeyValuePair<string, IReadOnlyList<FaceEmbedding>>[size];
            for (int i = 0; i < size; i++) people[i] = new($"person-{i}", [Next(random, dimension)]);
            probeSet = Enumerable.Range(0, probes).Select(_ => Near(people[random.Next(size)].Value[0], random, 0.035 * Math.Sqrt(128.0 / dimension))).ToList();
        }

        // In memory: enrolment, the first search (builds the matrix), then the probes (also the exact answers).
        using var memory = new InMemoryFaceGallery(Weights, dimension);
        var watch = Stopwatch.StartNew();
        foreach (var p in people) memory.Enroll(p.Key, p.Value);
        double memoryEnrol = watch.Elapsed.TotalSeconds;
        watch.Restart();
        memory.Identify(probeSet[0], 10);
        double memoryBuild = watch.Elapsed.TotalSeconds;
        var exact = new List<IReadOnlyList<string>>();
        var memoryTimes = new List<double>();
        List<double> firstDistances = [], secondDistances = [];
        foreach (var probe in probeSet)
        {
            watch.Restart();
            var result = memory.Identify(probe, 10);
            memoryTimes.Add(watch.Elapsed.TotalMilliseconds);
            exact.Add(result.Candidates.Select(c => c.Name).ToList());
            firstDistances.Add(result.Candidates[0].Distance);
            if (result.Candidates.Count > 1) secondDistances.Add(result.Candidates[1].Distance);
        }
        if (truth is not null)
        {
            int right = exact.Select((names, i) => names[0] == $"person-{truth[i]}" ? 1 : 0).Sum();
            output.WriteLine($"data: probe to its exact first identity p5/p50/p95 {Quantiles(firstDistances)}; to the second identity {Quantiles(secondDistances)}; " +
                $"the exact first identity is the probe's own in {right} of {probeSet.Count}");
        }

        // PostgreSQL: COPY without the index, then the index build, then the probes for each ef_search.
        var options = new PostgreSqlFaceGalleryOptions { Schema = "bench_" + Guid.NewGuid().ToString("N")[..12], IndexBuildMemory = "4GB", IndexBuildWorkers = Environment.ProcessorCount };
        await using var postgres = await PostgreSqlFaceGallery.OpenAsync(connectionString, Weights, dimension, options);
        try
        {
            await postgres.DropIndexAsync();
            watch.Restart();
            const int chunk = 50_000;
            for (int start = 0; start < size; start += chunk)
                await postgres.EnrollManyAsync(people.Skip(start).Take(chunk));
            double postgresEnrol = watch.Elapsed.TotalSeconds;
            watch.Restart();
            await postgres.BuildIndexAsync();
            double postgresBuild = watch.Elapsed.TotalSeconds;

            output.WriteLine();
            output.WriteLine("| gallery | ef_search | enrolment | index build | probe p50 | probe p99 | recall@1 | recall@10 |");
            output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            output.WriteLine($"| in-memory (exact) | - | {size / memoryEnrol:N0}/s | {memoryBuild:F2} s | {Percentile(memoryTimes, 50):F2} ms | {Percentile(memoryTimes, 99):F2} ms | 1 | 1 |");
            foreach (var ef in efSearch)
            {
                // One unmeasured probe per setting warms the connection and the pages.
                await postgres.IdentifyAsync(probeSet[0], 10, DistanceMetric.Euclidean, null, ef, CancellationToken.None);
                var times = new List<double>();
                double top1 = 0, top10 = 0;
                for (int i = 0; i < probeSet.Count; i++)
                {
                    watch.Restart();
                    var result = await postgres.IdentifyAsync(probeSet[i], 10, DistanceMetric.Euclidean, null, ef, CancellationToken.None);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    var names = result.Candidates.Select(c => c.Name).ToList();
                    if (names.Count > 0 && names[0] == exact[i][0]) top1++;
                    top10 += names.Intersect(exact[i]).Count() / (double)exact[i].Count;
                }
                output.WriteLine($"| PostgreSQL + pgvector HNSW | {ef} | {size / postgresEnrol:N0}/s | {postgresBuild:F1} s | {Percentile(times, 50):F2} ms | {Percentile(times, 99):F2} ms | {top1 / probes:F3} | {top10 / probes:F3} |");
            }
        }
        finally
        {
            await using var source = Npgsql.NpgsqlDataSource.Create(connectionString);
            await using var drop = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{options.Schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static FaceEmbedding Next(Random random, int dimension)
    {
        var values = new float[dimension];
        for (int i = 0; i < dimension; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return FaceEmbedding.FromValues(values, Weights);
    }

    private static FaceEmbedding Near(FaceEmbedding center, Random random, double noise)
    {
        var values = center.ToArray();
        for (int i = 0; i < values.Length; i++) values[i] += (float)((random.NextDouble() * 2 - 1) * noise);
        return FaceEmbedding.FromValues(values, Weights);
    }

    private static string Quantiles(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Percentile(values, 5):F2}/{Percentile(values, 50):F2}/{Percentile(values, 95):F2}");

    private static double Percentile(List<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100 * sorted.Count) - 1)];
    }

    /// <summary>Parses <c>--ef 40,100,200</c>.</summary>
    public static int[] ParseList(string value) => value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
