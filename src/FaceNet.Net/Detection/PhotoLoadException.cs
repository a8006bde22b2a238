namespace FaceNet.Net.Detection;

/// <summary>
/// A photo could not be read: the file is missing, is not an image in a supported format (JPEG, PNG,
/// BMP, GIF, TIFF, WebP, TGA, PBM), is corrupt, or is larger than the allowed pixel count.
/// </summary>
public sealed class PhotoLoadException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public PhotoLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public PhotoLoadException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The photo's path, when the failure concerns a file.</summary>
    public string? PhotoPath { get; init; }
}
