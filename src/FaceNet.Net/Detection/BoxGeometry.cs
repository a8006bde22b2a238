namespace FaceNet.Net.Detection;

/// <summary>
/// The box arithmetic of the MTCNN cascade, written to follow facenet-pytorch's float32 operations one
/// by one (same operand order, so the same rounding): window-to-box mapping, regression, squaring and
/// the integer crop window.
/// </summary>
internal static class BoxGeometry
{
    /// <summary>P-Net's stride over the scaled image.</summary>
    public const int Stride = 2;

    /// <summary>P-Net's window size.</summary>
    public const int CellSize = 12;

    /// <summary>The box in original pixels of the P-Net output cell (column, row) at pyramid scale <paramref name="scale"/>.</summary>
    public static (float X1, float Y1, float X2, float Y2) CellToBox(int column, int row, double scale)
    {
        float s = (float)scale;
        float x = column, y = row;
        return (
            MathF.Floor((Stride * x + 1f) / s),
            MathF.Floor((Stride * y + 1f) / s),
            MathF.Floor((Stride * x + CellSize - 1 + 1f) / s),
            MathF.Floor((Stride * y + CellSize - 1 + 1f) / s));
    }

    /// <summary>P-Net's regression: offsets in units of the box size without the +1 (facenet-pytorch's first stage).</summary>
    public static void RegressWithoutPlusOne(ref CandidateBox b)
    {
        float w = b.X2 - b.X1;
        float h = b.Y2 - b.Y1;
        float x1 = b.X1 + b.Dx1 * w;
        float y1 = b.Y1 + b.Dy1 * h;
        float x2 = b.X2 + b.Dx2 * w;
        float y2 = b.Y2 + b.Dy2 * h;
        (b.X1, b.Y1, b.X2, b.Y2) = (x1, y1, x2, y2);
    }

    /// <summary>R-Net and O-Net regression (<c>bbreg</c>): offsets in units of the box size + 1.</summary>
    public static void Regress(ref CandidateBox b)
    {
        float w = b.X2 - b.X1 + 1f;
        float h = b.Y2 - b.Y1 + 1f;
        float x1 = b.X1 + b.Dx1 * w;
        float y1 = b.Y1 + b.Dy1 * h;
        float x2 = b.X2 + b.Dx2 * w;
        float y2 = b.Y2 + b.Dy2 * h;
        (b.X1, b.Y1, b.X2, b.Y2) = (x1, y1, x2, y2);
    }

    /// <summary>Makes the box square around its centre with the longer side (<c>rerec</c>).</summary>
    public static void Square(ref CandidateBox b)
    {
        float h = b.Y2 - b.Y1;
        float w = b.X2 - b.X1;
        float l = Math.Max(w, h);
        b.X1 = b.X1 + w * 0.5f - l * 0.5f;
        b.Y1 = b.Y1 + h * 0.5f - l * 0.5f;
        b.X2 = b.X1 + l;
        b.Y2 = b.Y1 + l;
    }

    /// <summary>
    /// The integer pixel window a candidate is cropped from (<c>pad</c>): corners truncated toward zero,
    /// clamped to 1..width / 1..height, then the crop is rows [Y, EY) and columns [X, EX) with X = x − 1.
    /// Returns false when nothing of the box lies inside the photo.
    /// </summary>
    public static bool CropWindow(in CandidateBox b, int width, int height, out int x, out int y, out int ex, out int ey)
    {
        x = Math.Max(Truncate(b.X1), 1) - 1;
        y = Math.Max(Truncate(b.Y1), 1) - 1;
        ex = Math.Min(Truncate(b.X2), width);
        ey = Math.Min(Truncate(b.Y2), height);
        return ey > y && ex > x;
    }

    private static int Truncate(float v) => (int)Math.Clamp(MathF.Truncate(v), int.MinValue / 2, int.MaxValue / 2);
}
