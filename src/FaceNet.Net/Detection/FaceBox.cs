namespace FaceNet.Net.Detection;

/// <summary>
/// A face's bounding box in the original photo's pixels, as MTCNN reports it: corners (X1, Y1) top-left and
/// (X2, Y2) bottom-right, floats, not clamped to the photo (a face cut by the border has X1 &lt; 0, say).
/// </summary>
/// <param name="X1">Left edge.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
public readonly record struct FaceBox(float X1, float Y1, float X2, float Y2)
{
    /// <summary>X2 − X1.</summary>
    public float Width => X2 - X1;

    /// <summary>Y2 − Y1.</summary>
    public float Height => Y2 - Y1;

    /// <summary>Width × Height, the size used by <see cref="FacePolicy.Largest"/>.</summary>
    public float Area => Width * Height;

    /// <summary>Intersection over union with <paramref name="other"/> (0 when disjoint or degenerate).</summary>
    public float IntersectionOverUnion(FaceBox other)
    {
        float w = Math.Max(0f, Math.Min(X2, other.X2) - Math.Max(X1, other.X1));
        float h = Math.Max(0f, Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1));
        float intersection = w * h;
        float union = Area + other.Area - intersection;
        return union > 0 ? intersection / union : 0f;
    }
}
