using FaceNet.Net.Devices;
using TorchSharp;

namespace FaceNet.Net.Training;

/// <summary>Turns a device name into a TorchSharp device. Thread-safe.</summary>
public static class TrainingDevice
{
    /// <summary>Resolves "cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU).</summary>
    /// <param name="name">The device name (case-insensitive); null or empty means CPU.</param>
    /// <exception cref="FaceNetException">CUDA was asked for but is not available, or the index is out of range.</exception>
    /// <exception cref="ArgumentException">The name is not one of the forms above.</exception>
    public static torch.Device Resolve(string? name)
    {
        FaceNetRuntime.EnsureInitialized();
        var n = (name ?? "cpu").Trim().ToLowerInvariant();
        if (n is "" or "cpu") return torch.CPU;
        if (n == "auto") return CudaDevices.IsAvailable ? torch.CUDA : torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!CudaDevices.IsAvailable)
                throw new FaceNetException($"Device '{name}' was asked for but CUDA is not available: add the TorchSharp-cuda-linux (or -windows) package and check the driver, or use 'cpu'.");
            if (n == "cuda") return torch.CUDA;
            if (!int.TryParse(n.AsSpan(5), out int index) || index < 0)
                throw new ArgumentException($"Device '{name}' is not valid: use cpu, cuda, cuda:N or auto.", nameof(name));
            if (index >= CudaDevices.Count)
                throw new FaceNetException($"Device '{name}' does not exist: this machine has {CudaDevices.Count} CUDA device(s).");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Device '{name}' is not valid: use cpu, cuda, cuda:N or auto.", nameof(name));
    }
}
