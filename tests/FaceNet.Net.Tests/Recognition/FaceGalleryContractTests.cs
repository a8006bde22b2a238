using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>
/// The <see cref="IFaceGallery"/> contract, run against every implementation (one concrete fixture each): the same
/// answers as a brute-force search, the same errors, the same unknown/threshold semantics, the same refusal of other
/// weights, and no lost rows under concurrent use.
/// </summary>
public abstract class FaceGalleryContractTests
{
    protected const string Weights = RandomEmbeddings.Source;

    /// <summary>A new, empty gallery of <paramref name="dimension"/>-d embeddings of <see cref="Weights"/>.</summary>
    protected abstract Task<IFaceGallery> CreateAsync(int dimension = 128);

    [Test]
    public async Task An_empty_gallery_answers_unknown_without_candidates()
    {
        await using var gallery = await CreateAsync();
        var result = await gallery.IdentifyAsync(RandomEmbeddings.Next(new Random(1)));
        Assert.Multiple(async () =>
        {
            Assert.That(result.IsKnown, Is.False);
            Assert.That(result.Identity, Is.Null);
            Assert.That(result.Candidates, Is.Empty);
            Assert.That(await gallery.CountAsync(), Is.Zero);
            Assert.That(await gallery.EmbeddingCountAsync(), Is.Zero);
            Assert.That(await gallery.ListAllAsync(), Is.Empty);
        });
    }

    [Test]
    public async Task Identify_gives_the_brute_force_ranking_and_distances_for_every_metric()
    {
        var random = new Random(7);
        var people = Enumerable.Range(0, 40).Select(i => ($"person-{i}", Enumerable.Range(0, 1 + i % 3).Select(_ => RandomEmbeddings.Next(random)).ToList())).ToList();
        await using var gallery = await CreateAsync();
        foreach (var (name, embeddings) in people) await gallery.EnrollAsync(name, embeddings);
        foreach (var metric in new[] { DistanceMetric.Euclidean, DistanceMetric.SquaredEuclidean, DistanceMetric.Cosine })
        {
            for (int probeIndex = 0; probeIndex < 5; probeIndex++)
            {
                var probe = RandomEmbeddings.Near(people[probeIndex * 7].Item2[0], random, 0.05);
                var expected = people.Select(p => (Name: p.Item1, Distance: p.Item2.Min(e => Distances.Compute(probe, e, metric))))
                    .OrderBy(p => p.Distance).Take(5).ToList();
                var result = await gallery.IdentifyAsync(probe, 5, metric, threshold: 0.5f);
                Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(expected.Select(e => e.Name)), $"{metric}, probe {probeIndex}");
                Assert.That(result.Candidates.Select(c => c.Distance), Is.EqualTo(expected.Select(e => e.Distance)).Within(1e-6f), $"{metric}, probe {probeIndex}");
                Assert.That(result.Candidates.Select(c => c.IsMatch), Is.EqualTo(expected.Select(e => e.Distance < 0.5f)));
            }
        }
    }

    [Test]
    public async Task A_probe_is_recognised_only_strictly_below_the_threshold_and_an_identity_is_its_closest_embedding()
    {
        var random = new Random(3);
        var far = RandomEmbeddings.Next(random);
        var near = RandomEmbeddings.Next(random);
        await using var gallery = await CreateAsync();
        await gallery.EnrollAsync("ann", [far, near]);
        var probe = RandomEmbeddings.Near(near, random, 0.02);
        float distance = Distances.Compute(probe, near, DistanceMetric.Euclidean);
        Assert.That(distance, Is.LessThan(Distances.Compute(probe, far, DistanceMetric.Euclidean)));

        var atThreshold = await gallery.IdentifyAsync(probe, threshold: distance);
        var above = await gallery.IdentifyAsync(probe, threshold: distance * 1.001f);
        var verifyAt = await gallery.VerifyAsync(probe, "ann", threshold: distance);
        Assert.Multiple(() =>
        {
            Assert.That(atThreshold.Distance, Is.EqualTo(distance).Within(1e-6f), "the identity's distance is its closest embedding's");
            Assert.That(atThreshold.IsKnown, Is.False, "equal to the threshold is not a match");
            Assert.That(above.Identity, Is.EqualTo("ann"));
            Assert.That(verifyAt.IsMatch, Is.False);
            Assert.That(verifyAt.Distance, Is.EqualTo(distance).Within(1e-6f));
        });
    }

    [Test]
    public async Task Other_weights_are_refused_and_nothing_is_enrolled()
    {
        var random = new Random(5);
        await using var gallery = await CreateAsync();
        await gallery.EnrollAsync("ann", [RandomEmbeddings.Next(random)]);
        var foreign = RandomEmbeddings.Next(random, source: "other-weights");
        var mixed = new[] { RandomEmbeddings.Next(random), foreign };
        var enrol = Assert.ThrowsAsync<GalleryWeightsMismatchException>(async () => await gallery.EnrollAsync("bob", mixed));
        Assert.That(enrol!.ActualFingerprint, Is.EqualTo("other-weights"));
        Assert.ThrowsAsync<GalleryWeightsMismatchException>(async () => await gallery.IdentifyAsync(foreign));
        Assert.ThrowsAsync<GalleryWeightsMismatchException>(async () => await gallery.VerifyAsync(foreign, "ann"));
        Assert.That(await gallery.ContainsAsync("bob"), Is.False);
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Bad_arguments_get_the_same_exceptions()
    {
        var random = new Random(9);
        await using var gallery = await CreateAsync();
        var e = RandomEmbeddings.Next(random);
        await gallery.EnrollAsync("ann", [e]);
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.EnrollAsync("bob", [RandomEmbeddings.Next(random, 64)]), "dimension");
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.IdentifyAsync(RandomEmbeddings.Next(random, 64)), "probe dimension");
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.EnrollAsync("bob", []), "no embeddings");
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.EnrollAsync("  ", [e]), "blank name");
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.EnrollAsync("a\u0000b", [e]), "control character");
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await gallery.IdentifyAsync(e, topK: 0));
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await gallery.IdentifyAsync(e, threshold: float.NaN));
        Assert.ThrowsAsync<IdentityNotFoundException>(async () => await gallery.VerifyAsync(e, "nobody"));
        Assert.ThrowsAsync<IdentityNotFoundException>(async () => await gallery.RenameAsync("nobody", "x"));
        await gallery.EnrollAsync("bob", [RandomEmbeddings.Next(random)]);
        Assert.ThrowsAsync<ArgumentException>(async () => await gallery.RenameAsync("ann", "bob"), "rename onto an enrolled name");
        Assert.That(await gallery.CountAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task Remove_rename_and_list_keep_enrolment_order()
    {
        var random = new Random(11);
        await using var gallery = await CreateAsync();
        foreach (var name in new[] { "a", "b", "c", "d" }) await gallery.EnrollAsync(name, [RandomEmbeddings.Next(random)]);
        await gallery.EnrollAsync("b", [RandomEmbeddings.Next(random), RandomEmbeddings.Next(random)]);
        Assert.That(await gallery.RemoveAsync("c"), Is.True);
        Assert.That(await gallery.RemoveAsync("c"), Is.False);
        await gallery.RenameAsync("a", "z");
        var list = await gallery.ListAllAsync();
        Assert.That(list, Is.EqualTo(new[] { new GalleryIdentity("z", 1), new GalleryIdentity("b", 3), new GalleryIdentity("d", 1) }));
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(5));
        Assert.That(await gallery.ContainsAsync("a"), Is.False);
        Assert.That(await gallery.ContainsAsync("z"), Is.True);
    }

    [Test]
    public async Task Names_with_quotes_backslashes_unicode_and_sql_are_stored_and_returned_exactly()
    {
        string[] names = ["O'Brien", "say \"hi\"", @"back\slash\\", "Zoë Ñúñez 李小龙 🙂", "Robert'); DROP TABLE identities;--", "%_*?[]$1 ::vector", "tab-free ' \" \\ ;"];
        var random = new Random(13);
        var embeddings = names.Select(_ => RandomEmbeddings.Next(random)).ToArray();
        await using var gallery = await CreateAsync();
        for (int i = 0; i < names.Length; i++) await gallery.EnrollAsync(names[i], [embeddings[i]]);
        Assert.That((await gallery.ListAllAsync()).Select(i => i.Name), Is.EqualTo(names));
        for (int i = 0; i < names.Length; i++)
        {
            Assert.That(await gallery.ContainsAsync(names[i]), Is.True, names[i]);
            Assert.That((await gallery.IdentifyAsync(embeddings[i], 1)).Identity, Is.EqualTo(names[i]));
            Assert.That((await gallery.VerifyAsync(embeddings[i], names[i])).IsMatch, Is.True);
        }
        await gallery.RenameAsync(names[4], names[4] + "'");
        Assert.That(await gallery.ContainsAsync(names[4] + "'"), Is.True);
        Assert.That(await gallery.RemoveAsync(names[0]), Is.True);
        Assert.That(await gallery.CountAsync(), Is.EqualTo(names.Length - 1));
    }

    [Test]
    public async Task Eight_concurrent_tasks_enrolling_and_identifying_lose_no_rows()
    {
        const int tasks = 8, perTask = 12;
        await using var gallery = await CreateAsync();
        var work = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var random = new Random(100 + t);
            for (int i = 0; i < perTask; i++)
            {
                var e = RandomEmbeddings.Next(random);
                await gallery.EnrollAsync($"t{t}-p{i}", [e, RandomEmbeddings.Near(e, random, 0.01)]);
                await gallery.EnrollAsync("shared", [RandomEmbeddings.Next(random)]);
                var found = await gallery.IdentifyAsync(e, 3);
                if (found.Best?.Name != $"t{t}-p{i}") throw new InvalidOperationException($"task {t} did not find its own enrolment {i}: {found}");
            }
        })).ToArray();
        await Task.WhenAll(work);
        Assert.That(await gallery.CountAsync(), Is.EqualTo(tasks * perTask + 1));
        Assert.That(await gallery.EmbeddingCountAsync(), Is.EqualTo(tasks * perTask * 3));
        var shared = (await gallery.ListAllAsync()).Single(i => i.Name == "shared");
        Assert.That(shared.EmbeddingCount, Is.EqualTo(tasks * perTask));
    }

    [Test]
    public async Task A_cancelled_token_is_honoured()
    {
        await using var gallery = await CreateAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.That(async () => await gallery.CountAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(async () => await gallery.EnrollAsync("ann", [RandomEmbeddings.Next(new Random(1))], cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await gallery.CountAsync(), Is.Zero);
    }
}

/// <summary>The contract for <see cref="InMemoryFaceGallery"/>.</summary>
[TestFixture]
public sealed class InMemoryFaceGalleryContractTests : FaceGalleryContractTests
{
    protected override Task<IFaceGallery> CreateAsync(int dimension = 128) => Task.FromResult<IFaceGallery>(new InMemoryFaceGallery(Weights, dimension));
}

/// <summary>The contract for <see cref="FileFaceGallery"/> (each change saved to a file).</summary>
[TestFixture]
public sealed class FileFaceGalleryContractTests : FaceGalleryContractTests
{
    private TempFolder? _folder;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override Task<IFaceGallery> CreateAsync(int dimension = 128) =>
        new FileFaceGalleryFactory().OpenAsync(Path.Combine(_folder!.Path, $"g-{Guid.NewGuid():N}.gallery"), Weights, dimension);
}
