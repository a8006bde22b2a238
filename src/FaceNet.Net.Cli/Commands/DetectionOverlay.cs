using FaceNet.Net.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// Draws detections onto a copy of a photo by writing pixels row by row (no drawing library): each box as a
/// green rectangle outline, each landmark as a red square dot. Optionally downscales the photo first.
/// </summary>
internal static class DetectionOverlay
{
    private static readonly Rgb24 BoxColour = new(0, 230, 64);
    private static readonly Rgb24 LandmarkColour = new(255, 32, 32);

    /// <summary>A new image: <paramref name="photo"/> (shrunk so its longer side is at most <paramref name="maxSide"/>, when given) with the faces drawn.</summary>
    public static Image<Rgb24> Draw(Image<Rgb24> photo, IReadOnlyList<DetectedFace> faces, int? maxSide)
    {
        float scale = 1f;
        var canvas = photo.Clone();
        if (maxSide is int side && Math.Max(photo.Width, photo.Height) > side)
        {
            scale = (float)side / Math.Max(photo.Width, photo.Height);
            canvas.Mutate(c => c.Resize(Math.Max(1, (int)Math.Round(photo.Width * scale)), Math.Max(1, (int)Math.Round(photo.Height * scale))));
        }
        int thickness = Math.Max(2, Math.Min(canvas.Width, canvas.Height) / 250);
        canvas.ProcessPixelRows(rows =>
        {
            foreach (var face in faces)
            {
                int x1 = (int)MathF.Round(face.Box.X1 * scale), y1 = (int)MathF.Round(face.Box.Y1 * scale);
                int x2 = (int)MathF.Round(face.Box.X2 * scale), y2 = (int)MathF.Round(face.Box.Y2 * scale);
                Fill(rows, x1, y1, x2, y1 + thickness, BoxColour);               // top
                Fill(rows, x1, y2 - thickness, x2, y2, BoxColour);               // bottom
                Fill(rows, x1, y1, x1 + thickness, y2, BoxColour);               // left
                Fill(rows, x2 - thickness, y1, x2, y2, BoxColour);               // right
                int r = Math.Max(1, thickness - 1);
                foreach (var p in face.Landmarks)
                {
                    int cx = (int)MathF.Round(p.X * scale), cy = (int)MathF.Round(p.Y * scale);
                    Fill(rows, cx - r, cy - r, cx + r + 1, cy + r + 1, LandmarkColour);
                }
            }
        });
        return canvas;
    }

    /// <summary>Fills the rectangle [x1, x2) x [y1, y2), clipped to the image.</summary>
    private static void Fill(PixelAccessor<Rgb24> rows, int x1, int y1, int x2, int y2, Rgb24 colour)
    {
        x1 = Math.Max(x1, 0);
        y1 = Math.Max(y1, 0);
        x2 = Math.Min(x2, rows.Width);
        y2 = Math.Min(y2, rows.Height);
        for (int y = y1; y < y2; y++)
        {
            var row = rows.GetRowSpan(y);
            if (x2 > x1) row[x1..x2].Fill(colour);
        }
    }
}
