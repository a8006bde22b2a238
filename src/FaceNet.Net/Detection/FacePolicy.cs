namespace FaceNet.Net.Detection;

/// <summary>
/// What <see cref="IFaceDetector.DetectAndAlign(SixLabors.ImageSharp.Image{SixLabors.ImageSharp.PixelFormats.Rgb24}, FacePolicy)"/>
/// does when a photo holds no face or several faces. A photo with no face never throws except under <see cref="Error"/>.
/// </summary>
public enum FacePolicy
{
    /// <summary>Exactly one face is expected: no face or several faces throw a <see cref="FaceDetectionException"/>.</summary>
    Error,

    /// <summary>Exactly one face is expected: no face or several faces give an empty result.</summary>
    Empty,

    /// <summary>Every face, most probable first; no face gives an empty result.</summary>
    All,

    /// <summary>The face with the largest box; no face gives an empty result.</summary>
    Largest,

    /// <summary>The face with the highest probability; no face gives an empty result.</summary>
    MostProbable,
}
