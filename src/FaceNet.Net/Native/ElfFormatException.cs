namespace FaceNet.Net.Native;

/// <summary>A file given to the ELF reader is not a well-formed 64-bit little-endian ELF shared object.</summary>
internal sealed class ElfFormatException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public ElfFormatException(string message) : base(message) { }
}
