using TorchSharp;

namespace FaceNet.Net.Training;

/// <summary>
/// The loss of one batch with the triplets that produced it. Holds the native loss tensor: dispose it (or let the
/// enclosing dispose scope do so). Not thread-safe.
/// </summary>
public sealed class TripletLossResult : IDisposable
{
    internal TripletLossResult(torch.Tensor loss, MinedTriplets mined, int activeTriplets)
    {
        Loss = loss;
        Triplets = mined.Triplets;
        Candidates = mined.Candidates;
        ActiveTriplets = activeTriplets;
    }

    /// <summary>
    /// The mean over the mined triplets of max(d(a,p) − d(a,n) + α, 0), a scalar that supports <c>backward()</c>.
    /// Exactly 0 when no triplet was mined.
    /// </summary>
    public torch.Tensor Loss { get; }

    /// <summary>The triplets the loss was computed on.</summary>
    public IReadOnlyList<Triplet> Triplets { get; }

    /// <summary>The number of candidates the batch offered (see <see cref="MinedTriplets.Candidates"/>).</summary>
    public int Candidates { get; }

    /// <summary>The number of mined triplets with a loss above zero.</summary>
    public int ActiveTriplets { get; }

    /// <summary>
    /// Active triplets over candidates, 0 when there is no candidate. For batch-hard this is the share of anchors whose
    /// hardest triplet still violates the margin; for semi-hard (where every chosen triplet is active) the share of
    /// anchor-positive pairs that found a semi-hard negative.
    /// </summary>
    public double ActiveFraction => Candidates == 0 ? 0 : (double)ActiveTriplets / Candidates;

    /// <summary>The loss as a number (copies it from the device).</summary>
    public float LossValue => Loss.cpu().item<float>();

    /// <summary>Releases the loss tensor.</summary>
    public void Dispose() => Loss.Dispose();
}
