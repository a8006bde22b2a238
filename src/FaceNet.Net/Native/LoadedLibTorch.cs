using System.Runtime.InteropServices;

namespace FaceNet.Net.Native;

/// <summary>
/// A handle to the <c>libtorch_cpu.so</c> this process initialised with, opened by the absolute path
/// <see cref="NativeRuntimeReport.LibTorchPath"/> (never by bare name, which could map a different libtorch from the
/// system's library path), for calling libtorch symbols TorchSharp does not expose. Thread-safe.
/// </summary>
internal static class LoadedLibTorch
{
    /// <summary>Initialises the runtime if needed and opens its libtorch; false where none is known (not Linux, or not mapped).</summary>
    public static bool TryOpen(out IntPtr handle)
    {
        handle = IntPtr.Zero;
        var path = FaceNetRuntime.EnsureInitialized().LibTorchPath;
        return path is not null && NativeLibrary.TryLoad(path, out handle);
    }
}
