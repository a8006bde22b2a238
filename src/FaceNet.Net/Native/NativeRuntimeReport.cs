namespace FaceNet.Net.Native;

/// <summary>What <see cref="FaceNetRuntime.EnsureInitialized"/> found and did. Immutable.</summary>
/// <param name="CompatibilityFixApplied">True when a patched copy of TorchSharp's native library was loaded.</param>
/// <param name="WeakenedVersions">The libstdc++ versions marked weak in that copy (empty when no fix was applied).</param>
/// <param name="HostLibStdCxxPath">The libstdc++ this process uses, when one was found.</param>
/// <param name="OriginalLibraryPath">The <c>libLibTorchSharp.so</c> shipped in the TorchSharp package, when it was inspected.</param>
/// <param name="LoadedLibraryPath">The file actually loaded (the patched copy when the fix applied).</param>
/// <param name="TorchSharpVersion">The TorchSharp assembly's version.</param>
/// <param name="LibTorchVersion">
/// The version of the libtorch this process loaded: a PyTorch install's (<c>torch/version.py</c> beside its <c>lib</c>
/// folder, e.g. <c>2.11.0+cu130</c>) or a NuGet package folder's; else the version TorchSharp was built against.
/// </param>
/// <param name="Note">One line on why no fix was needed or applied, for diagnostics.</param>
/// <param name="OpenMpSpinCount">
/// The <c>GOMP_SPINCOUNT</c> libgomp (libtorch's OpenMP) runs with: 10000 when FaceNet.Net set it, the user's value
/// when they set one, null for libgomp's default.
/// </param>
public sealed record NativeRuntimeReport(
    bool CompatibilityFixApplied,
    IReadOnlyList<string> WeakenedVersions,
    string? HostLibStdCxxPath,
    string? OriginalLibraryPath,
    string? LoadedLibraryPath,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Note,
    string? OpenMpSpinCount = null);
