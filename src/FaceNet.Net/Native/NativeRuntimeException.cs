namespace FaceNet.Net.Native;

/// <summary>
/// TorchSharp's native library could not be made to load on this system. The message names the
/// missing piece (a libstdc++ symbol version, a libtorch package) and what to install.
/// </summary>
public sealed class NativeRuntimeException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public NativeRuntimeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public NativeRuntimeException(string message, Exception? innerException) : base(message, innerException) { }
}
