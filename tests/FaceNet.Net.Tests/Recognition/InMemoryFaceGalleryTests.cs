using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

public class InMemoryFaceGalleryTests
{
    private static (InMemoryFaceGallery Gallery, Dictionary<string, List<FaceEmbedding>> People) Build(int people, int perPerson, int seed)
    {
        var random = new Random(seed);
        var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        var all = new Dictionary<string, List<FaceEmbedding>>();
        for (int p = 0; p < people; p++)
        {
            var center = RandomEmbeddings.Next(random);
            var list = Enumerable.Range(0, perPerson).Select(_ => RandomEmbeddings.Near(center, random, 0.05)).ToList();
            gallery.Enroll($"person-{p}", list);
            all[$"person-{p}"] = list;
        }
        return (gallery, all);
    }

    [Test]
    public void Enrol_list_count_rename_and_remove()
    {
        var (gallery, _) = Build(3, 2, 1);
        using var _g = gallery;
        var extra = RandomEmbeddings.Next(new Random(9));
        gallery.Enroll("person-1", extra);

        Assert.That(gallery.Count, Is.EqualTo(3));
        Assert.That(gallery.EmbeddingCount, Is.EqualTo(7));
        Assert.That(gallery.List(), Is.EqualTo(new[] { new GalleryIdentity("person-0", 2), new GalleryIdentity("person-1", 3), new GalleryIdentity("person-2", 2) }));

        gallery.Rename("person-1", "alice");
        Assert.That(gallery.List().Select(i => i.Name), Is.EqualTo(new[] { "person-0", "alice", "person-2" }), "rename keeps the position");
        Assert.That(gallery.GetEmbeddings("alice")[2].ToArray(), Is.EqualTo(extra.ToArray()));

        Assert.That(gallery.Remove("person-0"), Is.True);
        Assert.That(gallery.Remove("person-0"), Is.False);
        Assert.That(gallery.Contains("person-0"), Is.False);
        Assert.That(gallery.Count, Is.EqualTo(2));
        Assert.That(gallery.EmbeddingCount, Is.EqualTo(5));
    }

    [Test]
    public void Identify_ranks_identities_by_their_closest_embedding_and_says_unknown_past_the_threshold()
    {
        var (gallery, people) = Build(20, 3, 2);
        using var _g = gallery;
        var random = new Random(3);
        var probe = RandomEmbeddings.Near(people["person-7"][1], random, 0.03);

        var result = gallery.Identify(probe, topK: 4);

        // Naive reference: per identity, min over its embeddings; sort.
        var expected = people.Select(p => (Name: p.Key, Distance: p.Value.Min(e => probe.DistanceTo(e))))
            .OrderBy(p => p.Distance).Take(4).ToList();
        Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(expected.Select(e => e.Name)));
        Assert.That(result.Candidates.Select(c => c.Distance), Is.EqualTo(expected.Select(e => e.Distance)).Within(1e-6));
        Assert.That(result.Identity, Is.EqualTo("person-7"));
        Assert.That(result.IsKnown, Is.True);

        var stranger = RandomEmbeddings.Next(random);
        var unknown = gallery.WhoIsIt(stranger);
        Assert.That(unknown.IsKnown, Is.False);
        Assert.That(unknown.Identity, Is.Null);
        Assert.That(unknown.Candidates, Has.Count.EqualTo(1));
        Assert.That(unknown.Distance, Is.GreaterThanOrEqualTo(0.7f));
    }

    [Test]
    public void Verify_against_an_identity_uses_its_closest_embedding()
    {
        var (gallery, people) = Build(5, 4, 4);
        using var _g = gallery;
        var probe = RandomEmbeddings.Near(people["person-2"][3], new Random(5), 0.02);
        var result = gallery.Verify(probe, "person-2");
        Assert.That(result.Distance, Is.EqualTo(people["person-2"].Min(e => probe.DistanceTo(e))));
        Assert.That(result.IsMatch, Is.True);
        Assert.That(gallery.Verify(probe, "person-3").IsMatch, Is.False);
    }

    [Test]
    public void Identify_sees_changes_made_after_the_previous_search()
    {
        var (gallery, people) = Build(4, 1, 6);
        using var _g = gallery;
        var probe = people["person-3"][0];
        Assert.That(gallery.WhoIsIt(probe).Identity, Is.EqualTo("person-3"));
        gallery.Rename("person-3", "bob");
        Assert.That(gallery.WhoIsIt(probe).Identity, Is.EqualTo("bob"));
        gallery.Remove("bob");
        Assert.That(gallery.WhoIsIt(probe).Identity, Is.Null);
        gallery.Enroll("carol", probe);
        Assert.That(gallery.WhoIsIt(probe).Identity, Is.EqualTo("carol"));
        Assert.That(gallery.WhoIsIt(probe).Distance, Is.EqualTo(0f));
    }

    [Test]
    public void The_cached_search_matrix_survives_a_callers_dispose_scope()
    {
        var (gallery, people) = Build(10, 1, 9);
        using var _g = gallery;
        var probe = people["person-4"][0];
        // The search no longer touches libtorch, but a caller's scope must still not reach the cached index.
        FaceNet.Net.FaceNetRuntime.EnsureInitialized();
        using (TorchSharp.torch.NewDisposeScope())
            Assert.That(gallery.WhoIsIt(probe).Identity, Is.EqualTo("person-4"));
        Assert.That(gallery.WhoIsIt(probe).Identity, Is.EqualTo("person-4"));
    }

    [Test]
    public void Identify_over_100000_enrolled_embeddings_returns_exactly_the_naive_top_5()
    {
        const int n = 100_000;
        var random = new Random(2026);
        using var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        var vectors = new float[n][];
        for (int i = 0; i < n; i++)
        {
            var e = RandomEmbeddings.Next(random);
            vectors[i] = e.ToArray();
            gallery.Enroll($"id-{i}", e);
        }

        for (int probeIndex = 0; probeIndex < 3; probeIndex++)
        {
            var probe = RandomEmbeddings.Next(random);
            var p = probe.ToArray();
            // Naive loop: every Euclidean distance in double, sorted.
            var naive = new (double Distance, int Index)[n];
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int k = 0; k < 128; k++)
                {
                    double d = (double)p[k] - vectors[i][k];
                    sum += d * d;
                }
                naive[i] = (Math.Sqrt(sum), i);
            }
            var top = naive.OrderBy(x => x.Distance).Take(5).ToList();

            var result = gallery.Identify(probe, topK: 5);

            Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(top.Select(t => $"id-{t.Index}")), $"probe {probeIndex}");
            Assert.That(result.Candidates.Select(c => (double)c.Distance), Is.EqualTo(top.Select(t => t.Distance)).Within(1e-5));
        }
    }

    [Test]
    public void Searches_from_many_threads_while_another_thread_enrols_stay_consistent()
    {
        var (gallery, people) = Build(50, 2, 7);
        using var _g = gallery;
        var probe = people["person-10"][0];
        var errors = new List<Exception>();
        var writer = new Thread(() =>
        {
            var random = new Random(8);
            for (int i = 0; i < 50; i++) gallery.Enroll($"new-{i}", RandomEmbeddings.Next(random));
        });
        var readers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 50; i++)
                    if (gallery.WhoIsIt(probe).Identity != "person-10") throw new InvalidOperationException("wrong identity");
            }
            catch (Exception e) { lock (errors) errors.Add(e); }
        })).ToList();
        writer.Start();
        readers.ForEach(r => r.Start());
        writer.Join();
        readers.ForEach(r => r.Join());
        Assert.That(errors, Is.Empty);
        Assert.That(gallery.Count, Is.EqualTo(100));
    }
}
