namespace FaceNet.Net.Dependencies;

/// <summary>
/// The app loads a version of a library FaceNet.Net is built on (SixLabors.ImageSharp, TorchSharp, PureHDF) that it
/// cannot work with, for example ImageSharp 3.x or 4.x, or another TorchSharp minor version. Thrown by the library's
/// first use, before any type of that library is touched; the message names the version found, the version needed and
/// the fix.
/// </summary>
public sealed class IncompatibleDependencyException : FaceNetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="assemblyName">The assembly's simple name, e.g. <c>SixLabors.ImageSharp</c>.</param>
    /// <param name="foundVersion">The assembly version the app loads; null when it cannot be loaded at all.</param>
    /// <param name="requiredVersions">The NuGet version range FaceNet.Net needs, e.g. <c>[2.1.13,3.0.0)</c>.</param>
    /// <param name="message">The whole message: what was found, what is needed, and the fix.</param>
    /// <param name="innerException">The load failure, where there was one.</param>
    public IncompatibleDependencyException(string assemblyName, Version? foundVersion, string requiredVersions, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        AssemblyName = assemblyName;
        FoundVersion = foundVersion;
        RequiredVersions = requiredVersions;
    }

    /// <summary>The assembly's simple name, e.g. <c>SixLabors.ImageSharp</c>.</summary>
    public string AssemblyName { get; }

    /// <summary>The assembly version the app loads; null when it could not be loaded at all.</summary>
    public Version? FoundVersion { get; }

    /// <summary>The NuGet version range FaceNet.Net needs, e.g. <c>[2.1.13,3.0.0)</c>.</summary>
    public string RequiredVersions { get; }
}
