namespace FaceNet.Net.Recognition;

/// <summary>
/// A gallery (or an embedding) was made with other weights than the encoder or gallery it is used with.
/// Comparing embeddings of different weights gives meaningless distances, so this is an error.
/// </summary>
public class GalleryWeightsMismatchException : FaceNetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was compared with what, and what to do.</param>
    /// <param name="expectedFingerprint">The fingerprint of the weights in use.</param>
    /// <param name="actualFingerprint">The fingerprint the gallery or embedding carries.</param>
    public GalleryWeightsMismatchException(string message, string expectedFingerprint, string actualFingerprint) : base(message)
    {
        ExpectedFingerprint = expectedFingerprint;
        ActualFingerprint = actualFingerprint;
    }

    /// <summary>The fingerprint of the weights in use.</summary>
    public string ExpectedFingerprint { get; }

    /// <summary>The fingerprint the gallery or embedding carries.</summary>
    public string ActualFingerprint { get; }
}
