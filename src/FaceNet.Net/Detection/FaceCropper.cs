using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Detection;

/// <summary>
/// Cuts the aligned square crop of a detected face exactly as facenet-pytorch's <c>extract_face</c> does on a PIL
/// image: the box grows by margin × box size / (crop size − margin) in each direction (half on each side), is clamped
/// to the photo, its corners truncated to whole pixels (Python's <c>int</c>), and the window is resized to crop size ×
/// crop size with Pillow's antialiased bilinear filter, reproduced bit for bit (<see cref="PillowBilinear"/>). From the
/// same pixels and box the crop equals facenet-pytorch's byte for byte, so embeddings of galleries built in Python are
/// reproduced. The aspect ratio is not preserved when the clamped window is not square (a face at the border).
/// </summary>
internal static class FaceCropper
{
    public static Image<Rgb24> Crop(Image<Rgb24> image, FaceBox box, int cropSize, int margin)
    {
        // facenet-pytorch computes the margin from the float32 box in float64 (numpy), then truncates with int().
        double mx = margin * (double)box.Width / (cropSize - margin);
        double my = margin * (double)box.Height / (cropSize - margin);
        int x1 = (int)Math.Max(box.X1 - mx / 2, 0);
        int y1 = (int)Math.Max(box.Y1 - my / 2, 0);
        int x2 = (int)Math.Min(box.X2 + mx / 2, image.Width);
        int y2 = (int)Math.Min(box.Y2 + my / 2, image.Height);
        // A degenerate window (a box outside the photo) still yields one pixel rather than failing.
        x1 = Math.Clamp(x1, 0, image.Width - 1);
        y1 = Math.Clamp(y1, 0, image.Height - 1);
        x2 = Math.Clamp(x2, x1 + 1, image.Width);
        y2 = Math.Clamp(y2, y1 + 1, image.Height);
        return PillowBilinear.CropAndResize(image, x1, y1, x2 - x1, y2 - y1, cropSize, cropSize);
    }
}
