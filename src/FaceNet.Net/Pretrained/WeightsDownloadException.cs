namespace FaceNet.Net.Pretrained;

/// <summary>
/// Published weights could not be obtained: an HTTP error, a download that is truncated, has the wrong checksum or is
/// not weights of the network, a file missing in offline mode, a lock held too long. The message names the weights,
/// the URL or file, and what to do. Whatever the failure, no weights file and no temporary file is left in the cache
/// (a partial download interrupted by the network or a cancellation is kept, under a <c>name.download.ext</c> name, and resumed next time).
/// </summary>
public sealed class WeightsDownloadException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public WeightsDownloadException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public WeightsDownloadException(string message, Exception? innerException) : base(message, innerException) { }
}
