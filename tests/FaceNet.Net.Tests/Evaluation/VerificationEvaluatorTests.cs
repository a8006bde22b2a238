using FaceNet.Net.Evaluation;

namespace FaceNet.Net.Tests.Evaluation;

public class VerificationEvaluatorTests
{
    // Two folds of four pairs, worked out by hand (S = same person, D = different):
    //   fold 1: .1 S, .5 S, .35 D, .9 D        fold 2: .2 S, .6 S, .7 D, .15 D
    private static readonly (float, bool)[] Constructed =
    [
        (0.1f, true), (0.5f, true), (0.35f, false), (0.9f, false),
        (0.2f, true), (0.6f, true), (0.7f, false), (0.15f, false),
    ];

    [Test]
    public void Metrics_on_a_constructed_example_equal_the_hand_computed_ones()
    {
        var m = VerificationEvaluator.Evaluate(Constructed, folds: 2, targetFar: 0.25);

        // Fold 1 tested, fold 2 trains: candidates .15 .175 .4 .65 .7+ have accuracies .5 .25 .5 .75 .5 -> .65;
        //   on fold 1 at .65: .1 S ok, .5 S ok, .35 D wrong, .9 D ok -> .75.
        // Fold 2 tested, fold 1 trains: candidates .1 .225 .425 .7 .9+ have accuracies .5 .75 .5 .75 .5 -> .225 (smallest tie);
        //   on fold 2 at .225: .2 S ok, .6 S wrong, .7 D ok, .15 D wrong -> .5.
        Assert.That(m.FoldThresholds[0], Is.EqualTo(0.65).Within(1e-6));
        Assert.That(m.FoldThresholds[1], Is.EqualTo(0.225).Within(1e-6));
        Assert.That(m.FoldAccuracies, Is.EqualTo(new[] { 0.75, 0.5 }));
        Assert.That(m.Accuracy, Is.EqualTo(0.625));
        Assert.That(m.AccuracyStd, Is.EqualTo(0.125));

        // All pairs: the best candidate is .65 (6 of 8 right).
        Assert.That(m.BestThreshold, Is.EqualTo(0.65).Within(1e-6));
        Assert.That(m.BestThresholdAccuracy, Is.EqualTo(0.75));

        // AUC: P(mismatched farther than matched) = (4 + 3 + 2 + 2) / 16.
        Assert.That(m.Auc, Is.EqualTo(11.0 / 16).Within(1e-12));

        // ROC: (0,0) (0,.25) (.25,.25) (.25,.5) (.5,.5) ... -> FNR = FPR = .5 at the candidate between .35 and .5.
        Assert.That(m.Eer, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.EerThreshold, Is.EqualTo(0.425).Within(1e-6));

        // VAL at FAR .25. Fold 1 tested: on fold 2 FAR is 0 at .15 and .5 at .175 -> threshold .1625;
        //   fold 1: VAL 1/2 (.1 < .1625, .5 not), FAR 0/2. Fold 2 tested: on fold 1 FAR is 0 at .225 and .5 at .425
        //   -> threshold .325; fold 2: VAL 1/2 (.2), FAR 1/2 (.15).
        Assert.That(m.Val, Is.EqualTo(0.5));
        Assert.That(m.ValStd, Is.EqualTo(0));
        Assert.That(m.Far, Is.EqualTo(0.25));
        Assert.That(m.PairCount, Is.EqualTo(8));
        Assert.That(m.SamePairCount, Is.EqualTo(4));
        Assert.That(m.Roc.First(), Is.EqualTo(new RocPoint(m.Roc[0].Threshold, 0, 0)));
        Assert.That((m.Roc[^1].FalsePositiveRate, m.Roc[^1].TruePositiveRate), Is.EqualTo((1.0, 1.0)));
        Assert.That(m.Roc.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)), Is.EqualTo(new[]
        {
            (0.0, 0.0), (0.0, 0.25), (0.25, 0.25), (0.25, 0.5), (0.5, 0.5), (0.5, 0.75), (0.5, 1.0), (0.75, 1.0), (1.0, 1.0),
        }));
    }

    [Test]
    public void A_perfectly_separable_set_scores_one_everywhere()
    {
        var rng = new Random(3);
        var pairs = Enumerable.Range(0, 600).Select(i => i % 2 == 0
            ? ((float)(0.2 + 0.5 * rng.NextDouble()), true)
            : ((float)(0.8 + 0.6 * rng.NextDouble()), false)).ToList();
        var m = VerificationEvaluator.Evaluate(pairs);
        Assert.That(m.Folds, Is.EqualTo(10));
        Assert.That(m.Accuracy, Is.EqualTo(1.0));
        Assert.That(m.AccuracyStd, Is.EqualTo(0.0));
        Assert.That(m.Auc, Is.EqualTo(1.0));
        Assert.That(m.Eer, Is.EqualTo(0.0));
        Assert.That(m.Val, Is.EqualTo(1.0));
        Assert.That(m.Far, Is.EqualTo(0.0));
        Assert.That(m.BestThreshold, Is.GreaterThan(pairs.Where(p => p.Item2).Max(p => p.Item1)));
        Assert.That(m.BestThreshold, Is.LessThan(pairs.Where(p => !p.Item2).Min(p => p.Item1)));
    }

    [Test]
    public void Random_embeddings_score_about_one_half()
    {
        var rng = new Random(42);
        float[] Random128() => Enumerable.Range(0, 128).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        // 10 folds of 30 "matched" and 30 mismatched pairs, but every embedding is drawn independently of the label.
        var pairs = Enumerable.Range(0, 600).Select(i => (PairDistances.Distance(Normalise(Random128()), Normalise(Random128())), (i / 30) % 2 == 0)).ToList();
        var m = VerificationEvaluator.Evaluate(pairs);
        TestContext.Out.WriteLine($"random: accuracy {m.Accuracy:F3}, AUC {m.Auc:F3}, EER {m.Eer:F3}, VAL {m.Val:F4}");
        Assert.That(m.Accuracy, Is.EqualTo(0.5).Within(0.06));
        Assert.That(m.Auc, Is.EqualTo(0.5).Within(0.06));
        Assert.That(m.Eer, Is.EqualTo(0.5).Within(0.06));
        Assert.That(m.Val, Is.LessThan(0.05), "at FAR 1e-3 almost nothing is accepted");
    }

    [Test]
    public void An_LFW_sized_set_is_fast_and_its_AUC_equals_the_pairwise_probability()
    {
        var rng = new Random(9);
        // 6000 pairs in LFW order (per fold 300 matched then 300 mismatched), overlapping distance distributions, with ties.
        var pairs = Enumerable.Range(0, 6000).Select(i =>
        {
            bool same = i % 600 < 300;
            return ((float)Math.Round((same ? 0.8 : 1.1) + 0.3 * NextGaussian(rng), 2), same);
        }).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var m = VerificationEvaluator.Evaluate(pairs);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));

        var same = pairs.Where(p => p.Item2).Select(p => p.Item1).ToArray();
        var diff = pairs.Where(p => !p.Item2).Select(p => p.Item1).ToArray();
        double wins = same.Sum(s => diff.Sum(d => d > s ? 1.0 : d == s ? 0.5 : 0.0));
        Assert.That(m.Auc, Is.EqualTo(wins / ((double)same.Length * diff.Length)).Within(1e-9));
        double bestByBruteForce = m.Roc.Max(p => (p.TruePositiveRate * same.Length + (1 - p.FalsePositiveRate) * diff.Length) / pairs.Count);
        Assert.That(m.BestThresholdAccuracy, Is.EqualTo(bestByBruteForce).Within(1e-12));
        Assert.That(m.BestThresholdAccuracy, Is.EqualTo(pairs.Count(p => (p.Item1 < m.BestThreshold) == p.Item2) / 6000.0));
        Assert.That(m.Accuracy, Is.InRange(0.6, 0.8));
    }

    private static double NextGaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Test]
    public void Folds_follow_scikit_learn_KFold_sizes()
    {
        Assert.That(VerificationEvaluator.FoldRanges(23, 5), Is.EqualTo(new[] { (0, 5), (5, 5), (10, 5), (15, 4), (19, 4) }));
    }

    [Test]
    public void Unusable_inputs_are_rejected_with_a_message()
    {
        Assert.That(() => VerificationEvaluator.Evaluate(Constructed, folds: 10), Throws.ArgumentException.With.Message.Contains("8 pairs cannot be split into 10"));
        Assert.That(() => VerificationEvaluator.Evaluate([(0.1f, true), (0.2f, true), (0.3f, false), (0.4f, false)], folds: 2),
            Throws.ArgumentException.With.Message.Contains("Fold 1").And.Message.Contains("no mismatched pair"));
        Assert.That(() => VerificationEvaluator.Evaluate([(float.NaN, true), (0.2f, false), (0.3f, true), (0.4f, false)], folds: 2),
            Throws.ArgumentException.With.Message.Contains("finite"));
    }

    private static float[] Normalise(float[] v)
    {
        double n = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / n)).ToArray();
    }
}
