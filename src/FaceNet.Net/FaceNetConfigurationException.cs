namespace FaceNet.Net;

/// <summary>A configuration value (an option or a <c>FACENET_*</c> environment variable) is not valid; the message names it and the values it takes.</summary>
public sealed class FaceNetConfigurationException : FaceNetException
{
    /// <summary>Creates the exception with its message.</summary>
    public FaceNetConfigurationException(string message) : base(message) { }
}
