namespace FaceNet.Net.Detection;

/// <summary>One face found by a detector: its box, the detector's face probability and five landmarks.</summary>
/// <param name="Box">The bounding box in the original photo's pixels.</param>
/// <param name="Probability">The face probability from the last stage (O-Net), in [0, 1].</param>
/// <param name="Landmarks">Five points in order: left eye, right eye, nose, left mouth corner, right mouth corner
/// ("left" as seen in the photo).</param>
public sealed record DetectedFace(FaceBox Box, float Probability, IReadOnlyList<FacePoint> Landmarks)
{
    /// <summary>The number of landmarks MTCNN gives per face.</summary>
    public const int LandmarkCount = 5;
}
