namespace FaceNet.Net.Native;

/// <summary>
/// What <see cref="FaceNetRuntime.EnsureInitialized"/> found and did, for diagnostics (<c>facenet info</c> prints it).
/// Immutable: made by the library only; safe to share between threads.
/// </summary>
public sealed record NativeRuntimeReport
{
    internal NativeRuntimeReport() { }

    /// <summary>True when a patched copy of TorchSharp's native library was loaded (the libstdc++ fix).</summary>
    public bool CompatibilityFixApplied { get; internal init; }

    /// <summary>The libstdc++ versions marked weak in that copy (empty when no fix was applied).</summary>
    public IReadOnlyList<string> WeakenedVersions { get; internal init; } = [];

    /// <summary>The libstdc++ this process uses, when one was inspected.</summary>
    public string? HostLibStdCxxPath { get; internal init; }

    /// <summary>The <c>libLibTorchSharp.so</c> shipped in the TorchSharp package, when it was inspected.</summary>
    public string? OriginalLibraryPath { get; internal init; }

    /// <summary>The <c>libLibTorchSharp.so</c> FaceNet.Net loaded or found loaded (the patched copy when the fix applied), else null.</summary>
    public string? LoadedLibraryPath { get; internal init; }

    /// <summary>The TorchSharp native library (<c>libLibTorchSharp.so</c>) mapped in the process after initialisation, when known.</summary>
    public string? TorchSharpNativePath { get; internal init; }

    /// <summary>The TorchSharp assembly's version.</summary>
    public string TorchSharpVersion { get; internal init; } = "";

    /// <summary>The <c>libtorch_cpu.so</c> mapped in the process after initialisation (the folder holds the rest of libtorch), when known.</summary>
    public string? LibTorchPath { get; internal init; }

    /// <summary>
    /// The version of the libtorch this process loaded: a PyTorch install's (<c>torch/version.py</c> beside its <c>lib</c>
    /// folder, e.g. <c>2.11.0+cu130</c>) or a NuGet package folder's; else the version TorchSharp was built against.
    /// </summary>
    public string LibTorchVersion { get; internal init; } = "";

    /// <summary>One line on why no fix was needed or applied, for diagnostics.</summary>
    public string Note { get; internal init; } = "";

    /// <summary>True when glibc malloc's mmap and trim thresholds were raised (see <see cref="FaceNetRuntimeOptions.MallocTuning"/>).</summary>
    public bool MallocTuningApplied { get; internal init; }

    /// <summary>True when FaceNet.Net set <c>GOMP_SPINCOUNT</c> (see <see cref="FaceNetRuntimeOptions.OpenMpSpinTuning"/>).</summary>
    public bool OpenMpSpinTuningApplied { get; internal init; }

    /// <summary>
    /// The <c>GOMP_SPINCOUNT</c> libgomp (libtorch's OpenMP) runs with: 10000 when FaceNet.Net set it, the user's value
    /// when they set one, null for libgomp's default.
    /// </summary>
    public string? OpenMpSpinCount { get; internal init; }
}
