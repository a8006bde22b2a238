using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>The managed gallery scan (<see cref="GallerySearchIndex"/>, <see cref="TopRows"/>) against naive loops.</summary>
public class GallerySearchIndexTests
{
    /// <summary>Identities named id-0, id-1, ... with 1 to <paramref name="maxPerIdentity"/> seeded random unit vectors each.</summary>
    private static List<KeyValuePair<string, List<float[]>>> RandomIdentities(int count, int dimension, int maxPerIdentity, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new KeyValuePair<string, List<float[]>>($"id-{i}",
                Enumerable.Range(0, random.Next(1, maxPerIdentity + 1)).Select(_ => Unit(random, dimension)).ToList()))
            .ToList();
    }

    private static float[] Unit(Random random, int dimension) => RandomEmbeddings.Next(random, dimension).ToArray();

    /// <summary>Every identity's smallest exact distance, closest first (ties: enrolment order), the first <paramref name="topK"/>.</summary>
    private static List<(string Name, float Distance)> Naive(List<KeyValuePair<string, List<float[]>>> identities, float[] probe, int topK, DistanceMetric metric) =>
        identities.Select(p => (Name: p.Key, Distance: p.Value.Min(v => Distances.Compute(probe, v, metric))))
            .OrderBy(p => p.Distance).Take(topK).ToList();

    [TestCase(1, 300, 3)]
    [TestCase(7, 2000, 3)]
    [TestCase(16, 2000, 2)]
    [TestCase(17, 2000, 2)]
    [TestCase(130, 2000, 4)]
    [TestCase(128, 2001, 3)]     // FaceNet's size: the two-rows-at-a-time kernel, with an odd row left over
    [TestCase(128, 70_001, 2)]
    [TestCase(7, 40_000, 2)]     // over 64k rows: the parallel path
    [TestCase(130, 35_000, 2)]
    public void Search_matches_a_naive_loop_for_any_dimension(int dimension, int count, int maxPerIdentity)
    {
        var identities = RandomIdentities(count, dimension, maxPerIdentity, seed: dimension * 1000 + count);
        using var index = new GallerySearchIndex(identities, dimension);
        var random = new Random(dimension);
        foreach (var metric in new[] { DistanceMetric.Euclidean, DistanceMetric.Cosine })
        {
            for (int probeIndex = 0; probeIndex < 3; probeIndex++)
            {
                var probe = Unit(random, dimension);
                var expected = Naive(identities, probe, 5, metric);
                var found = index.Search(probe, 5, metric);
                if (dimension == 1)
                {
                    // Every vector is +1 or -1: distances tie, only they are comparable (the tie order is tested below).
                    Assert.That(found.Select(f => f.Distance), Is.EqualTo(expected.Select(e => e.Distance)), $"{metric}, probe {probeIndex}");
                    continue;
                }
                Assert.That(found.Select(f => f.Name), Is.EqualTo(expected.Select(e => e.Name)), $"{metric}, probe {probeIndex}");
                Assert.That(found.Select(f => f.Distance), Is.EqualTo(expected.Select(e => e.Distance)), $"{metric}, probe {probeIndex}");
            }
        }
    }

    [Test]
    public void A_topK_over_the_identity_count_returns_every_identity_closest_first()
    {
        var identities = RandomIdentities(6, 12, 3, seed: 11);
        using var index = new GallerySearchIndex(identities, 12);
        var probe = Unit(new Random(12), 12);
        var found = index.Search(probe, 50, DistanceMetric.Euclidean);
        Assert.That(found, Is.EqualTo(Naive(identities, probe, 6, DistanceMetric.Euclidean)));
    }

    [Test]
    public void Identities_with_several_close_embeddings_appear_once_with_their_closest_distance()
    {
        var random = new Random(21);
        var probe = Unit(random, 32);
        var near = FaceEmbedding.FromValues(probe, RandomEmbeddings.Source);
        // "crowd" has 6 embeddings all closer to the probe than anything of "second": a top-2 must still reach "second".
        var identities = new List<KeyValuePair<string, List<float[]>>>
        {
            new("far", [Unit(random, 32)]),
            new("crowd", Enumerable.Range(0, 6).Select(_ => RandomEmbeddings.Near(near, random, 0.01).ToArray()).ToList()),
            new("second", [RandomEmbeddings.Near(near, random, 0.2).ToArray(), Unit(random, 32)]),
            new("other", [Unit(random, 32), Unit(random, 32)]),
        };
        using var index = new GallerySearchIndex(identities, 32);

        var found = index.Search(probe, 2, DistanceMetric.SquaredEuclidean);

        Assert.That(found.Select(f => f.Name), Is.EqualTo(new[] { "crowd", "second" }));
        Assert.That(found, Is.EqualTo(Naive(identities, probe, 2, DistanceMetric.SquaredEuclidean)));
    }

    [Test]
    public void Ties_are_broken_by_enrolment_order_the_same_way_on_every_thread()
    {
        // 100,000 identities (the parallel path) drawn from 7 distinct vectors: thousands of exact ties.
        const int count = 100_000, dimension = 24;
        var random = new Random(31);
        var pool = Enumerable.Range(0, 7).Select(_ => Unit(random, dimension)).ToArray();
        var choice = Enumerable.Range(0, count).Select(_ => random.Next(pool.Length)).ToArray();
        var identities = Enumerable.Range(0, count)
            .Select(i => new KeyValuePair<string, List<float[]>>($"id-{i}", [pool[choice[i]]]))
            .ToList();
        using var index = new GallerySearchIndex(identities, dimension);
        var probe = pool[3];
        var expected = Enumerable.Range(0, count).Where(i => choice[i] == 3).Take(5).Select(i => $"id-{i}").ToList();

        var results = new List<List<string>>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                var names = index.Search(probe, 5, DistanceMetric.Euclidean).Select(f => f.Name).ToList();
                lock (results) results.Add(names);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.That(results, Has.Count.EqualTo(20));
        Assert.That(results, Has.All.EqualTo(expected));
    }

    [Test]
    public void An_empty_index_finds_nothing()
    {
        using var index = new GallerySearchIndex([], 128);
        Assert.That(index.Rows, Is.Zero);
        Assert.That(index.Search(new float[128], 5, DistanceMetric.Euclidean), Is.Empty);
    }

    [Test]
    public void An_empty_gallery_identifies_nobody()
    {
        using var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        var result = gallery.Identify(RandomEmbeddings.Next(new Random(41)), topK: 3);
        Assert.That(result.Candidates, Is.Empty);
        Assert.That(result.IsKnown, Is.False);
    }

    [Test]
    public void Dispose_twice_is_harmless_and_a_disposed_index_refuses_to_search()
    {
        var index = new GallerySearchIndex(RandomIdentities(3, 8, 1, seed: 51), 8);
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Search(new float[8], 1, DistanceMetric.Euclidean));
    }

    [Test]
    public void TopRows_keeps_the_best_rows_whatever_the_order_of_the_offers()
    {
        var random = new Random(61);
        // Few distinct similarities: many ties, decided by the smaller row index.
        var offers = Enumerable.Range(0, 1000).Select(row => (Similarity: random.Next(20) / 10f, Row: row)).ToList();
        var expected = offers.OrderByDescending(o => o.Similarity).ThenBy(o => o.Row).Take(37).ToList();
        for (int shuffle = 0; shuffle < 5; shuffle++)
        {
            var top = new TopRows(37);
            foreach (var (s, r) in offers.OrderBy(_ => random.Next())) top.Offer(s, r);
            var kept = new List<(float Similarity, int Row)>();
            top.CopyTo(kept);
            kept.Sort(TopRows.Compare);
            Assert.That(kept, Is.EqualTo(expected), $"shuffle {shuffle}");
        }
    }
}
