namespace FaceNet.Net.Evaluation;

/// <summary>
/// Verification metrics from (distance, is-same) pairs, following the LFW protocol as davidsandberg/facenet computes
/// it. Pure functions: thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Folds.</b> Pairs are split into contiguous folds in order (scikit-learn's <c>KFold</c> without shuffling:
/// the first <c>n mod k</c> folds get one extra pair); with LFW's <c>pairs.txt</c> these are the official folds. Every
/// fold must hold at least one matched and one mismatched pair.</para>
/// <para><b>Thresholds.</b> A pair is called "same" when distance &lt; threshold. The candidate thresholds of a set of
/// pairs are its smallest distance (all called different), the midpoints between consecutive distinct distances, and
/// the next double above its largest distance (all called same); this is exact where a fixed grid would be coarse.</para>
/// <para><b>Accuracy.</b> Per fold, the candidate of the other folds with the highest accuracy there (the smallest on
/// ties) is applied to the fold; reported as mean ± population std over folds.</para>
/// <para><b>VAL at FAR.</b> Per fold, on the other folds the false accept rate is a step function of the candidate
/// threshold; the threshold where it reaches the target is interpolated linearly between the last candidate at or below
/// the target and the first above it. VAL and FAR are then measured on the fold.</para>
/// <para><b>ROC, AUC, EER.</b> Over all pairs, one point per candidate; AUC by the trapezoid rule (equal to the chance
/// that a mismatched pair is farther than a matched one, ties counting half); EER where 1 − TPR = FPR, interpolated
/// along the curve.</para>
/// </remarks>
public static class VerificationEvaluator
{
    /// <summary>The LFW number of folds.</summary>
    public const int DefaultFolds = 10;

    /// <summary>The FAR at which FaceNet reports VAL.</summary>
    public const double DefaultTargetFar = 1e-3;

    /// <summary>Computes every metric.</summary>
    /// <param name="pairs">The pairs in fold order: distance (finite) and whether the pair is the same person.</param>
    /// <param name="folds">Number of folds, at least 2 (default 10).</param>
    /// <param name="targetFar">The FAR for VAL, in (0, 1] (default 1e-3).</param>
    /// <exception cref="ArgumentException">Fewer pairs than folds, a non-finite distance, or a fold without a matched or a mismatched pair.</exception>
    public static VerificationMetrics Evaluate(IReadOnlyList<(float Distance, bool Same)> pairs, int folds = DefaultFolds, double targetFar = DefaultTargetFar)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        if (!(targetFar > 0 && targetFar <= 1)) throw new ArgumentOutOfRangeException(nameof(targetFar), targetFar, "The target FAR must be in (0, 1].");
        if (pairs.Count < folds) throw new ArgumentException($"{pairs.Count} pairs cannot be split into {folds} folds.", nameof(pairs));
        for (int i = 0; i < pairs.Count; i++)
            if (!float.IsFinite(pairs[i].Distance)) throw new ArgumentException($"Pair {i} has distance {pairs[i].Distance}; distances must be finite.", nameof(pairs));

        var all = pairs.Select(p => ((double)p.Distance, p.Same)).ToArray();
        var ranges = FoldRanges(all.Length, folds);
        for (int f = 0; f < folds; f++)
        {
            var (start, length) = ranges[f];
            var fold = all.AsSpan(start, length).ToArray();
            if (!fold.Any(p => p.Same) || fold.All(p => p.Same))
                throw new ArgumentException($"Fold {f + 1} (pairs {start}..{start + length - 1}) has no {(fold.Any(p => p.Same) ? "mismatched" : "matched")} pair; order the pairs so every fold has both (LFW's pairs.txt already does).", nameof(pairs));
        }

        var accuracies = new double[folds];
        var thresholds = new double[folds];
        var vals = new double[folds];
        var fars = new double[folds];
        for (int f = 0; f < folds; f++)
        {
            var (start, length) = ranges[f];
            var test = all.AsSpan(start, length).ToArray();
            var train = all.Take(start).Concat(all.Skip(start + length)).ToArray();
            thresholds[f] = BestAccuracyThreshold(train).Threshold;
            accuracies[f] = Accuracy(test, thresholds[f]);
            double farThreshold = ThresholdAtFar(train, targetFar);
            (vals[f], fars[f]) = ValFar(test, farThreshold);
        }

        var (best, bestAccuracy) = BestAccuracyThreshold(all);
        var roc = Roc(all);
        var (eer, eerThreshold) = EqualErrorRate(roc);
        return new VerificationMetrics
        {
            PairCount = all.Length,
            SamePairCount = all.Count(p => p.Same),
            Folds = folds,
            Accuracy = accuracies.Average(),
            AccuracyStd = Std(accuracies),
            FoldAccuracies = accuracies,
            FoldThresholds = thresholds,
            BestThreshold = best,
            BestThresholdAccuracy = bestAccuracy,
            TargetFar = targetFar,
            Val = vals.Average(),
            ValStd = Std(vals),
            Far = fars.Average(),
            Auc = Auc(roc),
            Eer = eer,
            EerThreshold = eerThreshold,
            Roc = roc,
        };
    }

    /// <summary>The candidate thresholds of a set of distances, ascending (see the remarks on the class).</summary>
    public static IReadOnlyList<double> CandidateThresholds(IEnumerable<double> distances)
    {
        ArgumentNullException.ThrowIfNull(distances);
        var d = distances.Distinct().Order().ToArray();
        if (d.Length == 0) return Array.Empty<double>();
        var c = new List<double>(d.Length + 1) { d[0] };
        for (int i = 1; i < d.Length; i++) c.Add((d[i - 1] + d[i]) / 2);
        c.Add(Math.BitIncrement(d[^1]));
        return c;
    }

    internal static (int Start, int Length)[] FoldRanges(int n, int folds)
    {
        var ranges = new (int, int)[folds];
        int start = 0;
        for (int f = 0; f < folds; f++)
        {
            int length = n / folds + (f < n % folds ? 1 : 0);
            ranges[f] = (start, length);
            start += length;
        }
        return ranges;
    }

    private static double Accuracy((double Distance, bool Same)[] pairs, double threshold) =>
        (double)pairs.Count(p => (p.Distance < threshold) == p.Same) / pairs.Length;

    /// <summary>For each candidate threshold (ascending), how many matched and mismatched pairs lie below it: one sweep.</summary>
    private static (IReadOnlyList<double> Thresholds, int[] SameBelow, int[] DiffBelow) Sweep((double Distance, bool Same)[] pairs)
    {
        var sorted = pairs.OrderBy(p => p.Distance).ToArray();
        var thresholds = CandidateThresholds(sorted.Select(p => p.Distance));
        var sameBelow = new int[thresholds.Count];
        var diffBelow = new int[thresholds.Count];
        int i = 0, same = 0, diff = 0;
        for (int c = 0; c < thresholds.Count; c++)
        {
            for (; i < sorted.Length && sorted[i].Distance < thresholds[c]; i++)
                if (sorted[i].Same) same++; else diff++;
            sameBelow[c] = same;
            diffBelow[c] = diff;
        }
        return (thresholds, sameBelow, diffBelow);
    }

    private static (double Threshold, double Accuracy) BestAccuracyThreshold((double Distance, bool Same)[] pairs)
    {
        var (thresholds, sameBelow, diffBelow) = Sweep(pairs);
        int diffTotal = pairs.Count(p => !p.Same);
        double bestThreshold = double.NaN, best = -1;
        for (int c = 0; c < thresholds.Count; c++)
        {
            double a = (double)(sameBelow[c] + diffTotal - diffBelow[c]) / pairs.Length;
            if (a > best) (best, bestThreshold) = (a, thresholds[c]);
        }
        return (bestThreshold, best);
    }

    private static double ThresholdAtFar((double Distance, bool Same)[] train, double targetFar)
    {
        var (candidates, _, diffBelow) = Sweep(train);
        double negatives = train.Count(p => !p.Same);
        for (int j = 1; j < candidates.Count; j++)
        {
            double fj = diffBelow[j] / negatives;
            if (fj <= targetFar) continue;
            double fi = diffBelow[j - 1] / negatives;
            return candidates[j - 1] + (targetFar - fi) / (fj - fi) * (candidates[j] - candidates[j - 1]);
        }
        return candidates[^1];
    }

    private static (double Val, double Far) ValFar((double Distance, bool Same)[] test, double threshold)
    {
        int same = test.Count(p => p.Same), diff = test.Length - same;
        int trueAccepts = test.Count(p => p.Same && p.Distance < threshold);
        int falseAccepts = test.Count(p => !p.Same && p.Distance < threshold);
        return ((double)trueAccepts / same, (double)falseAccepts / diff);
    }

    private static RocPoint[] Roc((double Distance, bool Same)[] pairs)
    {
        var (thresholds, sameBelow, diffBelow) = Sweep(pairs);
        double same = pairs.Count(p => p.Same), diff = pairs.Length - same;
        return thresholds.Select((t, c) => new RocPoint(t, diffBelow[c] / diff, sameBelow[c] / same)).ToArray();
    }

    private static double Auc(IReadOnlyList<RocPoint> roc)
    {
        double area = 0;
        for (int i = 1; i < roc.Count; i++)
            area += (roc[i].FalsePositiveRate - roc[i - 1].FalsePositiveRate) * (roc[i].TruePositiveRate + roc[i - 1].TruePositiveRate) / 2;
        return area;
    }

    private static (double Eer, double Threshold) EqualErrorRate(IReadOnlyList<RocPoint> roc)
    {
        static double Gap(RocPoint p) => 1 - p.TruePositiveRate - p.FalsePositiveRate;
        for (int i = 1; i < roc.Count; i++)
        {
            double g0 = Gap(roc[i - 1]), g1 = Gap(roc[i]);
            if (g0 < 0 || g1 > 0) continue;
            double s = g0 == g1 ? 0 : g0 / (g0 - g1);
            return (roc[i - 1].FalsePositiveRate + s * (roc[i].FalsePositiveRate - roc[i - 1].FalsePositiveRate),
                    roc[i - 1].Threshold + s * (roc[i].Threshold - roc[i - 1].Threshold));
        }
        return (double.NaN, double.NaN);
    }

    private static double Std(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
    }
}
