namespace FaceNet.Net.Training;

/// <summary>How <see cref="TripletMiner"/> picks triplets inside a batch of P identities x K images.</summary>
public enum TripletMiningStrategy
{
    /// <summary>
    /// FaceNet's online semi-hard mining: every anchor-positive pair (a, p) with a negative n such that
    /// d(a,p) &lt; d(a,n) &lt; d(a,p) + margin, taking the closest such n. A pair with no semi-hard negative is
    /// skipped (no hardest-negative fallback, which the FaceNet paper reports can collapse the embedding).
    /// </summary>
    SemiHard,

    /// <summary>Batch-hard mining (Hermans et al., 2017): per anchor, its farthest positive and its closest negative.</summary>
    BatchHard,
}
