namespace FaceNet.Net.Weights;

/// <summary>The result of <see cref="FaceNetWeights.Compare"/>: whether two weight files hold the same network parameters.</summary>
/// <param name="Identical">True when both hold exactly the same tensors (names, shapes, bits).</param>
/// <param name="TensorCount">How many tensors were compared.</param>
/// <param name="Differences">The tensors that differ, each with what differs (empty when identical).</param>
/// <param name="FingerprintA">The fingerprint of the first file's tensors.</param>
/// <param name="FingerprintB">The fingerprint of the second file's tensors.</param>
public sealed record WeightComparison(bool Identical, int TensorCount, IReadOnlyList<string> Differences, string FingerprintA, string FingerprintB);
