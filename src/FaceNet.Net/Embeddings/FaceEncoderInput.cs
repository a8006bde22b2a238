namespace FaceNet.Net.Embeddings;

/// <summary>
/// What the images given to a <see cref="FaceEncoder"/> are (<see cref="FaceEncoderOptions.Input"/>): aligned face
/// crops, encoded as they are, or photos, in which a face is first detected and cut out.
/// </summary>
public enum FaceEncoderInput
{
    /// <summary>
    /// The default. With a <see cref="FaceEncoderOptions.Detector"/>: an image exactly the detector's crop size square
    /// (160x160) is taken as an aligned face crop, any other image as a photo whose face is detected and aligned.
    /// Without a detector every image is taken as an aligned face crop (resized to 160x160 when needed).
    /// </summary>
    Auto,

    /// <summary>Every image is an aligned face crop, resized to 160x160 when needed; the detector is never used.</summary>
    Aligned,

    /// <summary>Every image is a photo, 160x160 ones included: its face is always detected. Needs a detector.</summary>
    Photo,
}
