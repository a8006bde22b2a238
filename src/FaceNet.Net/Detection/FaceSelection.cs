namespace FaceNet.Net.Detection;

/// <summary>Which of the faces found in a photo <see cref="IFaceDetector.Detect(SixLabors.ImageSharp.Image{SixLabors.ImageSharp.PixelFormats.Rgb24})"/> returns.</summary>
public enum FaceSelection
{
    /// <summary>Every face, most probable first (the order MTCNN's last non-maximum suppression leaves).</summary>
    All,

    /// <summary>Only the face with the largest box area, as facenet-pytorch's <c>select_largest=True</c>.</summary>
    Largest,

    /// <summary>Only the face with the highest probability.</summary>
    MostProbable,
}
