namespace FaceNet.Net.Training;

/// <summary>
/// One (anchor, positive, negative) triplet, as row indices into a batch of embeddings: the anchor and the
/// positive share an identity, the negative does not. Immutable.
/// </summary>
/// <param name="Anchor">Row of the anchor.</param>
/// <param name="Positive">Row of an image of the same identity as the anchor.</param>
/// <param name="Negative">Row of an image of a different identity.</param>
public readonly record struct Triplet(int Anchor, int Positive, int Negative)
{
    /// <summary>The triplet as <c>(a,p,n)</c>.</summary>
    public override string ToString() => $"({Anchor},{Positive},{Negative})";
}
