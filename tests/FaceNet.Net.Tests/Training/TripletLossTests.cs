using FaceNet.Net.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

/// <summary>The triplet loss module on small embeddings whose distances and losses were worked out by hand.</summary>
public class TripletLossTests
{
    // Unit vectors with rational coordinates; squared distance = 2 − 2·dot:
    //        x0     x1     x2     x3
    // x0     0     .4     .8     2
    // x1    .4      0    .08    .8
    // x2    .8    .08      0    .4
    // x3     2     .8     .4     0
    private static readonly float[,] Points = { { 1f, 0f }, { 0.8f, 0.6f }, { 0.6f, 0.8f }, { 0f, 1f } };
    private static readonly int[] Labels = [0, 0, 1, 1];

    [SetUp]
    public void Init() => FaceNetRuntime.EnsureInitialized();

    [Test]
    public void Semi_hard_loss_equals_the_hand_computed_value()
    {
        // α = .5: every pair has d(a,p) = .4, band (.4, .9): (0,1)->2 (.8), (1,0)->3 (.8), (2,3)->0 (.8), (3,2)->1 (.8);
        // each loss .4 − .8 + .5 = .1, mean .1. The input is scaled by 3: the module normalises it.
        using var x = tensor(Points) * 3;
        using var loss = new TripletLoss(0.5f, TripletMiningStrategy.SemiHard);
        using var result = loss.Compute(x, Labels);
        Assert.That(result.Triplets, Is.EqualTo(new[] { new Triplet(0, 1, 2), new Triplet(1, 0, 3), new Triplet(2, 3, 0), new Triplet(3, 2, 1) }));
        Assert.That(result.LossValue, Is.EqualTo(0.1f).Within(1e-5));
        Assert.That(result.ActiveTriplets, Is.EqualTo(4));
        Assert.That(result.ActiveFraction, Is.EqualTo(1.0));
    }

    [Test]
    public void Batch_hard_loss_equals_the_hand_computed_value_and_counts_active_triplets()
    {
        // α = .2: (0,1,2): .4−.8+.2 < 0 -> 0;  (1,0,2): .4−.08+.2 = .52;  (2,3,1): .52;  (3,2,1): .4−.8+.2 -> 0.
        using var x = tensor(Points);
        using var loss = new TripletLoss(0.2f, TripletMiningStrategy.BatchHard);
        using var result = loss.Compute(x, Labels);
        Assert.That(result.Triplets, Is.EqualTo(new[] { new Triplet(0, 1, 2), new Triplet(1, 0, 2), new Triplet(2, 3, 1), new Triplet(3, 2, 1) }));
        Assert.That(result.LossValue, Is.EqualTo(0.26f).Within(1e-5));
        Assert.That(result.ActiveTriplets, Is.EqualTo(2));
        Assert.That(result.ActiveFraction, Is.EqualTo(0.5));

        using var labels = tensor(new long[] { 0, 0, 1, 1 });
        using var viaForward = loss.forward(x, labels);
        Assert.That(viaForward.item<float>(), Is.EqualTo(0.26f).Within(1e-5));
    }

    [Test]
    public void Semi_hard_with_the_default_margin_finds_no_negative_in_the_band_and_gives_zero()
    {
        // α = .2: bands (.4, .6); the negatives are at .8, 2, .08 and .8 from their anchors: none inside.
        using var x = tensor(Points).requires_grad_(true);
        using var loss = new TripletLoss();
        using var result = loss.Compute(x, Labels);
        Assert.That(result.Triplets, Is.Empty);
        Assert.That(result.Candidates, Is.EqualTo(4));
        Assert.That(result.ActiveFraction, Is.Zero);
        Assert.That(result.LossValue, Is.Zero);
    }

    [TestCase(TripletMiningStrategy.SemiHard)]
    [TestCase(TripletMiningStrategy.BatchHard)]
    public void Batches_without_valid_triplets_give_a_zero_loss_that_supports_backward(TripletMiningStrategy strategy)
    {
        using var loss = new TripletLoss(0.2f, strategy);
        foreach (var labels in new[] { new[] { 3, 3, 3, 3 }, new[] { 0, 1, 2, 3 } })
        {
            using var x = tensor(Points).requires_grad_(true);
            using var result = loss.Compute(x, labels);
            Assert.That(result.Triplets, Is.Empty);
            Assert.That(result.Candidates, Is.Zero);
            Assert.That(result.LossValue, Is.Zero);
            Assert.That(float.IsNaN(result.LossValue), Is.False);
            result.Loss.backward();
            Assert.That(x.grad, Is.Not.Null);
            Assert.That(x.grad!.abs().max().item<float>(), Is.Zero);
        }

        using var constant = tensor(Points);
        using var noGrad = loss.Compute(constant, [1, 1, 1, 1]);
        Assert.That(() => noGrad.Loss.backward(), Throws.Nothing, "even without an input that needs gradients");
    }

    [Test]
    public void Backward_gives_every_row_of_an_active_triplet_a_gradient()
    {
        using var x = tensor(Points).requires_grad_(true);
        using var loss = new TripletLoss(0.2f, TripletMiningStrategy.BatchHard);
        using var result = loss.Compute(x, Labels);
        result.Loss.backward();
        var g = x.grad!.abs().sum(1).data<float>().ToArray();
        // Active triplets (1,0,2) and (2,3,1) touch rows 0,1,2,3: all rows get a gradient.
        Assert.That(g, Has.All.GreaterThan(0f));
    }

    [Test]
    public void Bad_shapes_are_rejected()
    {
        using var loss = new TripletLoss();
        using var x = zeros(4, 2);
        Assert.That(() => loss.Compute(x, [0, 1]), Throws.ArgumentException.With.Message.Contains("4 embeddings but 2 labels"));
        using var flat = zeros(4);
        Assert.That(() => loss.Compute(flat, [0, 0, 1, 1]), Throws.ArgumentException.With.Message.Contains("N x D"));
        Assert.That(() => new TripletLoss(-1f), Throws.ArgumentException);
    }
}
