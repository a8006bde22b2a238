using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace FaceNet.Net.Devices;

/// <summary>
/// What CUDA devices this process can use. TorchSharp reports availability and count; names come from
/// NVIDIA's management library (NVML, installed with the driver) when present. Thread-safe.
/// </summary>
public static class CudaDevices
{
    /// <summary>True when TorchSharp's CUDA backend is loaded and sees at least one device.</summary>
    public static bool IsAvailable
    {
        get
        {
            FaceNetRuntime.EnsureInitialized();
            try
            {
                return torch.cuda.is_available();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or NotSupportedException)
            {
                return false;
            }
        }
    }

    /// <summary>The number of CUDA devices, 0 when CUDA is not available.</summary>
    public static int Count => IsAvailable ? torch.cuda.device_count() : 0;

    /// <summary>The marketing name of CUDA device <paramref name="index"/> (e.g. "NVIDIA H100 80GB HBM3"), or "CUDA device N" when NVML is absent.</summary>
    public static string GetName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Nvml.TryGetName(index) ?? $"CUDA device {index}";
    }

    private static class Nvml
    {
        private static readonly object Gate = new();

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int InitFn();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int HandleFn(uint index, out IntPtr device);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int NameFn(IntPtr device, byte[] name, uint length);

        public static string? TryGetName(int index)
        {
            lock (Gate)
            {
                string lib = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "nvml.dll" : "libnvidia-ml.so.1";
                if (!NativeLibrary.TryLoad(lib, out var handle)) return null;
                if (!NativeLibrary.TryGetExport(handle, "nvmlInit_v2", out var init)
                    || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetHandleByIndex_v2", out var byIndex)
                    || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetName", out var name))
                    return null;
                if (Marshal.GetDelegateForFunctionPointer<InitFn>(init)() != 0) return null;
                if (Marshal.GetDelegateForFunctionPointer<HandleFn>(byIndex)((uint)index, out var device) != 0) return null;
                var buffer = new byte[96];
                if (Marshal.GetDelegateForFunctionPointer<NameFn>(name)(device, buffer, (uint)buffer.Length) != 0) return null;
                int end = Array.IndexOf(buffer, (byte)0);
                return Encoding.ASCII.GetString(buffer, 0, end < 0 ? buffer.Length : end);
            }
        }
    }
}
