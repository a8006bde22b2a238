using FaceNet.Net.Training;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

public class PkBatchSamplerTests
{
    [SetUp]
    public void Init() => FaceNetRuntime.EnsureInitialized();

    private static TensorIdentityDataset Dataset(params int[] counts) =>
        new(counts.Select((_, i) => $"id{i}").ToList(), counts.Select(c => zeros(c, 3, 8, 8)).ToList());

    [Test]
    public void Batches_hold_P_distinct_identities_with_K_distinct_images_each()
    {
        using var data = Dataset(5, 4, 6, 4, 7, 4, 5);
        var sampler = new PkBatchSampler(data, 3, 4, seed: 11);
        var batches = sampler.Epoch(0, 5).ToList();
        Assert.That(batches, Has.Count.EqualTo(5));
        foreach (var b in batches)
        {
            Assert.That(b.Count, Is.EqualTo(12));
            var groups = b.Identities.Select((id, row) => (id, image: b.Images[row])).GroupBy(x => x.id).ToList();
            Assert.That(groups, Has.Count.EqualTo(3));
            foreach (var g in groups)
            {
                Assert.That(g.Count(), Is.EqualTo(4));
                Assert.That(g.Select(x => x.image).Distinct().Count(), Is.EqualTo(4), "K distinct images when the identity has ≥ K");
                Assert.That(g.Select(x => x.image), Has.All.LessThan(data.ImageCount(g.Key)));
            }
        }
    }

    [Test]
    public void The_same_seed_and_epoch_give_the_same_batches_and_other_epochs_differ()
    {
        using var data = Dataset(4, 4, 4, 4, 4, 4);
        var a = new PkBatchSampler(data, 2, 2, 5).Epoch(3, 4).SelectMany(b => b.Identities.Concat(b.Images)).ToList();
        var b = new PkBatchSampler(data, 2, 2, 5).Epoch(3, 4).SelectMany(b => b.Identities.Concat(b.Images)).ToList();
        var c = new PkBatchSampler(data, 2, 2, 5).Epoch(4, 4).SelectMany(b => b.Identities.Concat(b.Images)).ToList();
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
    }

    [Test]
    public void An_identity_with_fewer_than_K_images_is_filled_with_repeats()
    {
        using var data = Dataset(2, 2);
        var batch = new PkBatchSampler(data, 2, 5, 1).Epoch(0, 1).Single();
        Assert.That(batch.Count, Is.EqualTo(10));
        foreach (var id in new[] { 0, 1 })
        {
            var images = batch.Images.Where((_, row) => batch.Identities[row] == id).ToList();
            Assert.That(images.Distinct().OrderBy(i => i), Is.EqualTo(new[] { 0, 1 }), "both images are used");
        }
    }

    [Test]
    public void Unusable_datasets_are_rejected_with_a_clear_message()
    {
        using var single = Dataset(3, 1, 3);
        Assert.That(() => new PkBatchSampler(single, 2, 2, 0),
            Throws.InstanceOf<FaceNetException>().With.Message.Contains("'id1' has 1 image(s)"));
        using var few = Dataset(3, 3);
        Assert.That(() => new PkBatchSampler(few, 3, 2, 0), Throws.InstanceOf<FaceNetException>().With.Message.Contains("2 identities but a batch needs 3"));
        Assert.That(() => new PkBatchSampler(few, 1, 2, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new PkBatchSampler(few, 2, 1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
