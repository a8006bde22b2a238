using FaceNet.Net.Training;

namespace FaceNet.Net.Tests.Training;

/// <summary>The miners on distance matrices whose triplets were worked out by hand.</summary>
public class TripletMinerTests
{
    // Labels 0,0,1,1,2,2. Symmetric squared distances chosen so that no value sits on a semi-hard band edge.
    private static readonly int[] Labels = [0, 0, 1, 1, 2, 2];
    private static readonly float[,] D =
    {
        { 0f,    0.5f,  0.58f, 0.3f,  0.9f,  0.65f },
        { 0.5f,  0f,    0.2f,  0.8f,  0.56f, 1.0f  },
        { 0.58f, 0.2f,  0f,    0.4f,  0.7f,  0.1f  },
        { 0.3f,  0.8f,  0.4f,  0f,    0.62f, 0.45f },
        { 0.9f,  0.56f, 0.7f,  0.62f, 0f,    0.35f },
        { 0.65f, 1.0f,  0.1f,  0.45f, 0.35f, 0f    },
    };

    [Test]
    public void Semi_hard_takes_the_closest_negative_inside_the_band_and_skips_pairs_without_one()
    {
        // (0,1): d=.5, band (.5,.7): 2 (.58) and 5 (.65) -> 2.   (1,0): band (.5,.7): only 4 (.56).
        // (2,3): d=.4, band (.4,.6): only 0 (.58).                 (3,2): band (.4,.6): only 5 (.45) (4 is .62).
        // (4,5): d=.35, band (.35,.55): none (.9,.56,.7,.62) -> skipped.   (5,4): band: only 3 (.45).
        var mined = TripletMiner.Mine(D, Labels, TripletMiningStrategy.SemiHard, 0.2f);
        Assert.That(mined.Triplets, Is.EqualTo(new[]
        {
            new Triplet(0, 1, 2), new Triplet(1, 0, 4), new Triplet(2, 3, 0), new Triplet(3, 2, 5), new Triplet(5, 4, 3),
        }));
        Assert.That(mined.Candidates, Is.EqualTo(6), "six ordered anchor-positive pairs");
    }

    [Test]
    public void Batch_hard_takes_the_farthest_positive_and_the_closest_negative_per_anchor()
    {
        var mined = TripletMiner.Mine(D, Labels, TripletMiningStrategy.BatchHard, 0.2f);
        Assert.That(mined.Triplets, Is.EqualTo(new[]
        {
            new Triplet(0, 1, 3), new Triplet(1, 0, 2), new Triplet(2, 3, 5), new Triplet(3, 2, 0), new Triplet(4, 5, 1), new Triplet(5, 4, 2),
        }));
        Assert.That(mined.Candidates, Is.EqualTo(6));
    }

    [Test]
    public void Batch_hard_with_three_images_of_one_identity_picks_the_farthest_of_them()
    {
        int[] labels = [0, 0, 0, 1];
        float[,] d =
        {
            { 0f,   0.3f, 0.7f, 0.5f },
            { 0.3f, 0f,   0.2f, 0.9f },
            { 0.7f, 0.2f, 0f,   0.4f },
            { 0.5f, 0.9f, 0.4f, 0f   },
        };
        var mined = TripletMiner.Mine(d, labels, TripletMiningStrategy.BatchHard, 0.2f);
        // anchor 3 has no positive: no triplet, not a candidate.
        Assert.That(mined.Triplets, Is.EqualTo(new[] { new Triplet(0, 2, 3), new Triplet(1, 0, 3), new Triplet(2, 0, 3) }));
        Assert.That(mined.Candidates, Is.EqualTo(3));
    }

    [TestCase(TripletMiningStrategy.SemiHard)]
    [TestCase(TripletMiningStrategy.BatchHard)]
    public void A_batch_without_valid_triplets_yields_none(TripletMiningStrategy strategy)
    {
        var oneIdentity = TripletMiner.Mine(new float[3, 3], [4, 4, 4], strategy, 0.2f);
        Assert.That(oneIdentity.Triplets, Is.Empty);
        Assert.That(oneIdentity.Candidates, Is.Zero);

        var singletons = TripletMiner.Mine(new float[3, 3] { { 0, 1, 1 }, { 1, 0, 1 }, { 1, 1, 0 } }, [0, 1, 2], strategy, 0.2f);
        Assert.That(singletons.Triplets, Is.Empty);
        Assert.That(singletons.Candidates, Is.Zero);
    }

    [Test]
    public void Bad_inputs_are_rejected_with_a_message()
    {
        Assert.That(() => TripletMiner.Mine(new float[2, 3], [0, 1], TripletMiningStrategy.SemiHard, 0.2f),
            Throws.ArgumentException.With.Message.Contains("2 x 3"));
        Assert.That(() => TripletMiner.Mine(new float[2, 2], [0, 1], TripletMiningStrategy.SemiHard, 0f),
            Throws.ArgumentException.With.Message.Contains("margin"));
    }
}
