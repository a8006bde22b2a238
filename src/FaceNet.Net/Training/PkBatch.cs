namespace FaceNet.Net.Training;

/// <summary>One P x K batch: which image of which identity goes in each row. Immutable.</summary>
/// <param name="Identities">The identity of each row (P distinct identities, K rows each, grouped).</param>
/// <param name="Images">The image index (within its identity) of each row.</param>
public sealed record PkBatch(IReadOnlyList<int> Identities, IReadOnlyList<int> Images)
{
    /// <summary>The number of rows, P x K.</summary>
    public int Count => Identities.Count;
}
