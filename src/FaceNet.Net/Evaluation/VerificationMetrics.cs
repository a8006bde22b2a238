namespace FaceNet.Net.Evaluation;

/// <summary>
/// Verification metrics on the LFW protocol (see <see cref="VerificationEvaluator"/>). A pair is called "same" when its
/// distance is below the threshold. Immutable.
/// </summary>
public sealed record VerificationMetrics
{
    /// <summary>Number of pairs.</summary>
    public required int PairCount { get; init; }

    /// <summary>Number of matched (same-person) pairs.</summary>
    public required int SamePairCount { get; init; }

    /// <summary>Number of folds.</summary>
    public required int Folds { get; init; }

    /// <summary>Mean over folds of the test-fold accuracy, at the threshold chosen on the other folds.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Population standard deviation of the fold accuracies.</summary>
    public required double AccuracyStd { get; init; }

    /// <summary>Each fold's test accuracy.</summary>
    public required IReadOnlyList<double> FoldAccuracies { get; init; }

    /// <summary>Each fold's threshold, chosen on the other folds.</summary>
    public required IReadOnlyList<double> FoldThresholds { get; init; }

    /// <summary>The threshold with the highest accuracy over all pairs (smallest on ties).</summary>
    public required double BestThreshold { get; init; }

    /// <summary>The accuracy over all pairs at <see cref="BestThreshold"/> (optimistic: chosen and measured on the same pairs).</summary>
    public required double BestThresholdAccuracy { get; init; }

    /// <summary>The target false accept rate for <see cref="Val"/> (default 1e-3).</summary>
    public required double TargetFar { get; init; }

    /// <summary>Mean over folds of the validation rate (true accept rate) at the threshold where the other folds reach the target FAR.</summary>
    public required double Val { get; init; }

    /// <summary>Population standard deviation of the fold validation rates.</summary>
    public required double ValStd { get; init; }

    /// <summary>Mean over folds of the false accept rate actually reached on the test fold.</summary>
    public required double Far { get; init; }

    /// <summary>Area under the ROC curve over all pairs.</summary>
    public required double Auc { get; init; }

    /// <summary>Equal error rate: where the false accept rate equals the false reject rate, over all pairs.</summary>
    public required double Eer { get; init; }

    /// <summary>The threshold at the equal error rate (interpolated).</summary>
    public required double EerThreshold { get; init; }

    /// <summary>The ROC curve over all pairs, from (0, 0) to (1, 1).</summary>
    public required IReadOnlyList<RocPoint> Roc { get; init; }
}
