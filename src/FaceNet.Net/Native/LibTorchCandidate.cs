namespace FaceNet.Net.Native;

/// <summary>One libtorch build found on this machine.</summary>
/// <param name="Path">The absolute path of its <c>libtorch_cpu.so</c> (the folder holds the rest of libtorch).</param>
/// <param name="Origin">Where it was found.</param>
/// <param name="Version">Its version as its layout tells (<see cref="TorchNativeFiles.LibTorchVersionOf"/>), or null when unknown.</param>
internal sealed record LibTorchCandidate(string Path, LibTorchOrigin Origin, string? Version)
{
    /// <summary>The version for a message: <c>version 1.13</c> or <c>version unknown</c>.</summary>
    public string VersionText => Version is null ? "version unknown" : "version " + Version;
}
