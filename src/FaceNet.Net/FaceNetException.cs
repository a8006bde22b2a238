namespace FaceNet.Net;

/// <summary>
/// Base type of every exception the library throws on purpose. Catch this to handle any
/// FaceNet.Net failure; the message always says what was wrong and, where possible, what to do.
/// </summary>
public class FaceNetException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public FaceNetException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public FaceNetException(string message, Exception? innerException) : base(message, innerException) { }
}
