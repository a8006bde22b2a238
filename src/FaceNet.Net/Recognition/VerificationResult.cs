namespace FaceNet.Net.Recognition;

/// <summary>The outcome of comparing two faces (or a face and an enrolled identity). Immutable.</summary>
/// <param name="IsMatch">True when <paramref name="Distance"/> is strictly below <paramref name="Threshold"/>.</param>
/// <param name="Distance">The distance under <paramref name="Metric"/> (for an identity: the smallest over its embeddings).</param>
/// <param name="Threshold">The threshold the decision used.</param>
/// <param name="Metric">The distance metric.</param>
public sealed record VerificationResult(bool IsMatch, float Distance, float Threshold, DistanceMetric Metric);
