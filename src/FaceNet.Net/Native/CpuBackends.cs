using System.Runtime.InteropServices;

namespace FaceNet.Net.Native;

/// <summary>
/// Reads libtorch's CPU backend switches that TorchSharp 0.107 does not expose (<c>torch.backends</c> there only has
/// CUDA flags): whether libtorch was built with oneDNN (MKLDNN) and whether it is enabled, and whether NNPACK is
/// enabled. Calls <c>at::globalContext()</c> through its exported C++ symbols; null where a symbol cannot be found
/// (another platform or libtorch build). Thread-safe (read-only queries).
/// </summary>
internal static unsafe class CpuBackends
{
    /// <summary>True when libtorch was built with oneDNN; null when unknown.</summary>
    public static bool? MkldnnAvailable => Query("_ZN2at7Context9hasMKLDNNEv", isStatic: true);

    /// <summary>True when oneDNN is enabled for this process (the default when available); null when unknown.</summary>
    public static bool? MkldnnEnabled => Query("_ZNK2at7Context17userEnabledMkldnnEv", isStatic: false);

    /// <summary>True when NNPACK is enabled (FaceNet.Net turns it off, see <see cref="NnpackSwitch"/>); null when unknown.</summary>
    public static bool? NnpackEnabled => Query("_ZNK2at7Context17userEnabledNNPACKEv", isStatic: false);

    private static bool? Query(string symbol, bool isStatic)
    {
        if (!OperatingSystem.IsLinux() || !LoadedLibTorch.TryOpen(out var library)) return null;
        if (!NativeLibrary.TryGetExport(library, symbol, out var function)) return null;
        if (isStatic) return ((delegate* unmanaged<byte>)function)() != 0;
        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)) return null;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        if (context == IntPtr.Zero) return null;
        return ((delegate* unmanaged<IntPtr, byte>)function)(context) != 0;
    }
}
