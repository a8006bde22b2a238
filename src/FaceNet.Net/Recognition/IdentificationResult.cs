namespace FaceNet.Net.Recognition;

/// <summary>
/// The outcome of a 1:K search ("who is this?"): up to K identities ranked by distance (closest first), and the
/// verdict: the closest identity when it is within the threshold, else unknown. Immutable.
/// </summary>
public sealed class IdentificationResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="candidates">Identities ranked by ascending distance.</param>
    /// <param name="threshold">The threshold the verdict used.</param>
    /// <param name="metric">The distance metric.</param>
    public IdentificationResult(IReadOnlyList<IdentityCandidate> candidates, float threshold, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Candidates = candidates;
        Threshold = threshold;
        Metric = metric;
    }

    /// <summary>Up to K identities, closest first (empty when the gallery is empty).</summary>
    public IReadOnlyList<IdentityCandidate> Candidates { get; }

    /// <summary>The closest identity, whether or not it matches; null when the gallery is empty.</summary>
    public IdentityCandidate? Best => Candidates.Count > 0 ? Candidates[0] : null;

    /// <summary>True when the closest identity is within the threshold.</summary>
    public bool IsKnown => Best is { IsMatch: true };

    /// <summary>The recognised identity's name, or null for unknown (nobody within the threshold, or an empty gallery).</summary>
    public string? Identity => IsKnown ? Best!.Name : null;

    /// <summary>The distance to the closest identity, or null when the gallery is empty.</summary>
    public float? Distance => Best?.Distance;

    /// <summary>The threshold the verdict used.</summary>
    public float Threshold { get; }

    /// <summary>The distance metric.</summary>
    public DistanceMetric Metric { get; }

    /// <summary>"name (distance)" or "unknown (distance)".</summary>
    public override string ToString() => Best is null ? "unknown (empty gallery)" : $"{Identity ?? "unknown"} ({Best.Distance:0.000})";
}
