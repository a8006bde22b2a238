using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Detection;

/// <summary>
/// A detected face and its square crop, ready for the FaceNet encoder (RGB, <see cref="FaceDetectorOptions.CropSize"/>
/// pixels square, 160 by default). Owns the crop: dispose it when done.
/// </summary>
public sealed class AlignedFace : IDisposable
{
    /// <summary>Creates the pair; the new instance owns <paramref name="crop"/>.</summary>
    /// <param name="face">The detection the crop was cut from.</param>
    /// <param name="crop">The square crop.</param>
    public AlignedFace(DetectedFace face, Image<Rgb24> crop)
    {
        Face = face ?? throw new ArgumentNullException(nameof(face));
        Crop = crop ?? throw new ArgumentNullException(nameof(crop));
    }

    /// <summary>The detection: box, probability and landmarks in the original photo's pixels.</summary>
    public DetectedFace Face { get; }

    /// <summary>The square crop (box plus margin, clamped to the photo, resized).</summary>
    public Image<Rgb24> Crop { get; }

    /// <summary>Frees the crop's pixel memory.</summary>
    public void Dispose() => Crop.Dispose();
}
