namespace FaceNet.Net.Recognition;

/// <summary>
/// Decision thresholds: two faces are the same person when their distance is strictly below the threshold.
/// All apply to L2-normalised embeddings (the only kind this library compares).
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>metric</term><description>default, and its source</description></listheader>
/// <item><term>Euclidean</term><description>0.70, the seed notebook (<c>verify</c> and <c>who_is_it</c>, 128-d Keras weights).
/// deepface uses 0.80 ("euclidean_l2", Facenet 128-d) and 1.04 (Facenet512): see the constants.</description></item>
/// <item><term>SquaredEuclidean</term><description>0.49 = 0.70², the same decision as the Euclidean default.</description></item>
/// <item><term>Cosine</term><description>0.40, deepface "Facenet" (128-d); 0.30 for Facenet512. On unit vectors
/// cosine distance = Euclidean² / 2, so 0.40 corresponds to Euclidean 0.894: more lenient than the seed's 0.70
/// (which is cosine 0.245).</description></item>
/// </list>
/// Thread-safe (constants only).
/// </remarks>
public static class VerificationThresholds
{
    /// <summary>0.70: Euclidean on normalised embeddings, the seed notebook's threshold (the library default).</summary>
    public const float Euclidean = 0.70f;

    /// <summary>0.49 = 0.70²: squared Euclidean, equivalent to <see cref="Euclidean"/>.</summary>
    public const float SquaredEuclidean = 0.49f;

    /// <summary>0.40: cosine distance, deepface "Facenet" (128-d).</summary>
    public const float Cosine = 0.40f;

    /// <summary>0.80: deepface "Facenet" (128-d), "euclidean_l2" (our <see cref="DistanceMetric.Euclidean"/>).</summary>
    public const float DeepFaceFacenetEuclideanL2 = 0.80f;

    /// <summary>0.30: deepface "Facenet512", cosine distance.</summary>
    public const float DeepFaceFacenet512Cosine = 0.30f;

    /// <summary>1.04: deepface "Facenet512", "euclidean_l2" (our <see cref="DistanceMetric.Euclidean"/>).</summary>
    public const float DeepFaceFacenet512EuclideanL2 = 1.04f;

    /// <summary>The default threshold of <paramref name="metric"/>.</summary>
    public static float Default(DistanceMetric metric) => metric switch
    {
        DistanceMetric.Euclidean => Euclidean,
        DistanceMetric.SquaredEuclidean => SquaredEuclidean,
        DistanceMetric.Cosine => Cosine,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric."),
    };

    /// <summary>Checks a caller's threshold (finite, positive) or returns the default for <paramref name="metric"/>; every gallery decides with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not a positive finite number.</exception>
    public static float Resolve(float? threshold, DistanceMetric metric)
    {
        if (threshold is not float t) return Default(metric);
        if (!float.IsFinite(t) || t <= 0)
            throw new ArgumentOutOfRangeException(nameof(threshold), t, "A threshold must be a positive finite number.");
        return t;
    }
}
