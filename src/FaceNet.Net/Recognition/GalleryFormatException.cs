namespace FaceNet.Net.Recognition;

/// <summary>
/// A gallery file cannot be read: it is not a gallery file, has an unsupported format version, is truncated,
/// fails its SHA-256 checksum, or declares lengths beyond its size. The message names the file.
/// </summary>
public class GalleryFormatException : FaceNetException
{
    /// <summary>Creates the exception.</summary>
    public GalleryFormatException(string message, Exception? innerException = null) : base(message, innerException) { }
}
