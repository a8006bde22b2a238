using System.Runtime.InteropServices;

namespace FaceNet.Net.Native;

/// <summary>
/// Turns libtorch's NNPACK convolution path off, once per process. On CPUs NNPACK does not support (these
/// AVX-512 machines), libtorch otherwise tries it on convolutions and prints "Could not initialize NNPACK!
/// Reason: Unsupported hardware." to stderr, dozens of times per forward pass; with NNPACK off convolutions
/// take libtorch's regular (oneDNN / im2col) path. TorchSharp has no switch for it, so this calls libtorch's
/// <c>at::globalContext().setUserEnabledNNPACK(false)</c> directly; when the symbol cannot be found nothing happens.
/// </summary>
internal static unsafe class NnpackSwitch
{
    private static readonly Lazy<bool> Done = new(Disable, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Disables NNPACK (idempotent, thread-safe); true when it was switched off.</summary>
    public static bool EnsureDisabled() => Done.Value;

    private static bool Disable()
    {
        if (!OperatingSystem.IsLinux() || !LoadedLibTorch.TryOpen(out var library)) return false;
        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)
            || !NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setEnabled)) return false;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        if (context == IntPtr.Zero) return false;
        ((delegate* unmanaged<IntPtr, byte, void>)setEnabled)(context, 0);
        return true;
    }
}
