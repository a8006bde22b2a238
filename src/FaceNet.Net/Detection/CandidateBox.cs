namespace FaceNet.Net.Detection;

/// <summary>
/// A face candidate inside the cascade: corners, score, the regression the last network proposed
/// (fractions of the box size), the photo it belongs to within the batch and its NMS group. A mutable
/// struct on purpose: the cascade updates boxes in place as facenet-pytorch does, in float32.
/// </summary>
internal struct CandidateBox
{
    public float X1, Y1, X2, Y2, Score;
    public float Dx1, Dy1, Dx2, Dy2;
    public int Image;
    public int Group;
}
