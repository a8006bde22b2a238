using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>1:1 verification: are two embeddings the same person? Thread-safe (stateless).</summary>
public static class FaceVerifier
{
    /// <summary>
    /// Compares <paramref name="a"/> and <paramref name="b"/>: a match when their distance under <paramref name="metric"/>
    /// is strictly below <paramref name="threshold"/> (default: <see cref="VerificationThresholds.Default"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An embedding is null.</exception>
    /// <exception cref="ArgumentException">The dimensions differ, or the embeddings come from different weights.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not a positive finite number.</exception>
    public static VerificationResult Verify(FaceEmbedding a, FaceEmbedding b, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Source != b.Source)
            throw new ArgumentException($"Embeddings from different weights cannot be compared ('{a.Source}' and '{b.Source}').");
        float t = VerificationThresholds.Resolve(threshold, metric);
        float distance = Distances.Compute(a, b, metric);
        return new VerificationResult(distance < t, distance, t, metric);
    }
}
