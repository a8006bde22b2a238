namespace FaceNet.Net.Detection;

/// <summary>
/// Face detection could not be done as asked: the MTCNN weights are missing or do not fit the networks,
/// an option is out of range, or a photo did not hold exactly one face under <see cref="FacePolicy.Error"/>.
/// The message says which and what to do.
/// </summary>
public class FaceDetectionException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public FaceDetectionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public FaceDetectionException(string message, Exception? innerException) : base(message, innerException) { }
}
