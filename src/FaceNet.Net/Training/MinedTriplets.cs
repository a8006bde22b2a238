namespace FaceNet.Net.Training;

/// <summary>What <see cref="TripletMiner.Mine"/> found in one batch. Immutable, thread-safe.</summary>
/// <param name="Triplets">The chosen triplets, ordered by anchor, then positive.</param>
/// <param name="Candidates">
/// How many chances the batch offered: for <see cref="TripletMiningStrategy.SemiHard"/> the ordered anchor-positive
/// pairs that have at least one negative in the batch; for <see cref="TripletMiningStrategy.BatchHard"/> the anchors
/// with at least one positive and one negative. It is the denominator of the active fraction.
/// </param>
public sealed record MinedTriplets(IReadOnlyList<Triplet> Triplets, int Candidates)
{
    /// <summary>No triplet and no candidate (a batch of one identity, or of identities with one image each).</summary>
    public static MinedTriplets None { get; } = new(Array.Empty<Triplet>(), 0);
}
