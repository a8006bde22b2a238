namespace FaceNet.Net.Recognition;

/// <summary>One ranked identity in an identification. Immutable.</summary>
/// <param name="Name">The enrolled identity.</param>
/// <param name="Distance">The smallest distance between the probe and the identity's embeddings.</param>
/// <param name="IsMatch">True when <paramref name="Distance"/> is strictly below the identification's threshold.</param>
public sealed record IdentityCandidate(string Name, float Distance, bool IsMatch);
