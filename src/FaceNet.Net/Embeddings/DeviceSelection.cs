using FaceNet.Net.Devices;
using TorchSharp;

namespace FaceNet.Net.Embeddings;

/// <summary>Checks a requested device before anything is placed on it. Thread-safe (stateless).</summary>
internal static class DeviceSelection
{
    /// <summary>
    /// Returns the device to use: the CPU for null; the requested CUDA device when CUDA is usable and the index exists.
    /// </summary>
    /// <exception cref="FaceNetException">CUDA was requested but is not available, the index does not exist, or the device type is not supported.</exception>
    public static torch.Device Resolve(torch.Device? requested)
    {
        FaceNetRuntime.EnsureInitialized();
        if (requested is null || requested.type == DeviceType.CPU) return torch.CPU;
        if (requested.type != DeviceType.CUDA)
            throw new FaceNetException($"Device '{requested}' is not supported: use the CPU or a CUDA device.");

        int index = Math.Max(requested.index, 0);
        if (!CudaDevices.IsAvailable)
            throw new FaceNetException(
                $"CUDA device cuda:{index} was requested but CUDA is not available in this process: reference TorchSharp-cuda-linux " +
                "(or TorchSharp-cuda-windows) 0.107.0 instead of the CPU backend and check the NVIDIA driver, or use the CPU.");
        int count = CudaDevices.Count;
        if (index >= count)
            throw new FaceNetException($"CUDA device cuda:{index} was requested but this machine has {count} CUDA device(s) (cuda:0 to cuda:{count - 1}).");
        return new torch.Device(DeviceType.CUDA, index);
    }
}
