namespace FaceNet.Net.Imaging;

/// <summary>
/// An image could not be read: the path is missing or a directory, the file is empty, not an image in a
/// supported format, truncated, incomplete or corrupt (every format's container is checked before decoding), larger
/// than <see cref="ImageLoadOptions.MaxPixels"/> or <see cref="ImageLoadOptions.MaxSideLength"/>, or carrying more
/// metadata than <see cref="ImageLoadOptions.MaxMetadataBytes"/>. ImageSharp's own exceptions are wrapped in it.
/// The message names the file (or the stream's source name) and says what was wrong.
/// </summary>
public class ImageLoadException : FaceNetException
{
    /// <summary>Creates the exception for <paramref name="source"/>.</summary>
    /// <param name="source">The file path or the name given for a stream.</param>
    /// <param name="message">What was wrong, naming the source.</param>
    /// <param name="innerException">The decoder's or file system's failure, when there was one.</param>
    public ImageLoadException(string source, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SourceName = source;
    }

    /// <summary>The file path, or the name given for a stream, that could not be read.</summary>
    public string SourceName { get; }
}
