namespace FaceNet.Net.Training;

/// <summary>
/// Online triplet mining inside one batch, from its matrix of squared distances between L2-normalised embeddings.
/// Selection is not differentiable, so it runs on plain arrays; <see cref="TripletLoss"/> then computes the loss of the
/// chosen triplets on tensors. Pure functions: thread-safe.
/// </summary>
/// <remarks>
/// Ties are broken by the lowest row index, so the choice is deterministic. For
/// <see cref="TripletMiningStrategy.SemiHard"/> a pair with no semi-hard negative is skipped: it yields no triplet
/// (the FaceNet paper's policy of avoiding the hardest negatives, which can collapse the model early in training).
/// </remarks>
public static class TripletMiner
{
    /// <summary>Chooses triplets in a batch.</summary>
    /// <param name="squaredDistances">N x N squared Euclidean distances between the batch's embeddings.</param>
    /// <param name="labels">The identity of each of the N rows.</param>
    /// <param name="strategy">Semi-hard or batch-hard.</param>
    /// <param name="margin">The triplet margin α (&gt; 0); bounds the semi-hard band.</param>
    /// <returns>The triplets and the number of candidates (see <see cref="MinedTriplets.Candidates"/>).</returns>
    /// <exception cref="ArgumentException">The matrix is not N x N for N labels, or the margin is not positive and finite.</exception>
    public static MinedTriplets Mine(float[,] squaredDistances, IReadOnlyList<int> labels, TripletMiningStrategy strategy, float margin)
    {
        ArgumentNullException.ThrowIfNull(squaredDistances);
        ArgumentNullException.ThrowIfNull(labels);
        int n = labels.Count;
        if (squaredDistances.GetLength(0) != n || squaredDistances.GetLength(1) != n)
            throw new ArgumentException($"The distance matrix is {squaredDistances.GetLength(0)} x {squaredDistances.GetLength(1)} but there are {n} labels.", nameof(squaredDistances));
        if (!(margin > 0) || float.IsInfinity(margin))
            throw new ArgumentException($"The triplet margin must be a positive finite number, not {margin}.", nameof(margin));
        return strategy switch
        {
            TripletMiningStrategy.SemiHard => SemiHard(squaredDistances, labels, margin),
            TripletMiningStrategy.BatchHard => BatchHard(squaredDistances, labels),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown mining strategy."),
        };
    }

    private static MinedTriplets SemiHard(float[,] d, IReadOnlyList<int> labels, float margin)
    {
        int n = labels.Count;
        var triplets = new List<Triplet>();
        int candidates = 0;
        for (int a = 0; a < n; a++)
        {
            if (!HasNegative(labels, a)) continue;
            for (int p = 0; p < n; p++)
            {
                if (p == a || labels[p] != labels[a]) continue;
                candidates++;
                float ap = d[a, p];
                int best = -1;
                for (int k = 0; k < n; k++)
                {
                    if (labels[k] == labels[a]) continue;
                    float an = d[a, k];
                    if (an > ap && an < ap + margin && (best < 0 || an < d[a, best])) best = k;
                }
                if (best >= 0) triplets.Add(new Triplet(a, p, best));
            }
        }
        return new MinedTriplets(triplets, candidates);
    }

    private static MinedTriplets BatchHard(float[,] d, IReadOnlyList<int> labels)
    {
        int n = labels.Count;
        var triplets = new List<Triplet>();
        for (int a = 0; a < n; a++)
        {
            int hardestPositive = -1, hardestNegative = -1;
            for (int k = 0; k < n; k++)
            {
                if (k == a) continue;
                if (labels[k] == labels[a])
                {
                    if (hardestPositive < 0 || d[a, k] > d[a, hardestPositive]) hardestPositive = k;
                }
                else if (hardestNegative < 0 || d[a, k] < d[a, hardestNegative]) hardestNegative = k;
            }
            if (hardestPositive >= 0 && hardestNegative >= 0) triplets.Add(new Triplet(a, hardestPositive, hardestNegative));
        }
        return new MinedTriplets(triplets, triplets.Count);
    }

    private static bool HasNegative(IReadOnlyList<int> labels, int anchor)
    {
        for (int k = 0; k < labels.Count; k++)
            if (labels[k] != labels[anchor]) return true;
        return false;
    }
}
