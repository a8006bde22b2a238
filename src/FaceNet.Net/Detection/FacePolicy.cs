namespace FaceNet.Net.Detection;

/// <summary>
/// Which of the faces found in a photo a detection call returns, and what no face or several faces give: the one
/// face-selection policy of the library (<see cref="FaceDetectorOptions.FacePolicy"/> for
/// <see cref="IFaceDetector.Detect(SixLabors.ImageSharp.Image{SixLabors.ImageSharp.PixelFormats.Rgb24})"/>, the
/// argument of <see cref="IFaceDetector.DetectAndAlign(SixLabors.ImageSharp.Image{SixLabors.ImageSharp.PixelFormats.Rgb24}, FacePolicy)"/>,
/// <see cref="Embeddings.FaceEncoderOptions.FacePolicy"/>). A photo with no face never throws except under <see cref="Error"/>.
/// </summary>
public enum FacePolicy
{
    /// <summary>Exactly one face is expected: no face or several faces throw a <see cref="FaceDetectionException"/>.</summary>
    Error,

    /// <summary>Exactly one face is expected: no face or several faces give an empty result.</summary>
    Empty,

    /// <summary>Every face, most probable first (the order MTCNN's last non-maximum suppression leaves); no face gives an empty result.</summary>
    All,

    /// <summary>The face with the largest box area, as facenet-pytorch's <c>select_largest=True</c>; no face gives an empty result.</summary>
    Largest,

    /// <summary>The face with the highest probability; no face gives an empty result.</summary>
    MostProbable,
}
