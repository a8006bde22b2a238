using TorchSharp;

namespace FaceNet.Net.Devices;

/// <summary>
/// The one place a device name becomes a TorchSharp device: <c>cpu</c> (also null or empty), <c>cuda</c>
/// (<c>cuda:0</c>), <c>cuda:N</c>, or <c>auto</c> (the first CUDA device when CUDA is usable, else the CPU); any case,
/// surrounding blanks ignored. Asking for CUDA where it is not usable fails instead of falling back to the CPU.
/// Stateless, thread-safe.
/// </summary>
internal static class DeviceResolver
{
    /// <summary>The device names the library takes, for messages and docs.</summary>
    public const string Forms = "cpu, cuda, cuda:N or auto";

    /// <summary>Resolves <paramref name="name"/>; see the class summary for the forms.</summary>
    /// <exception cref="DeviceNotAvailableException">The name is not one of the forms, CUDA is not usable, or the index does not exist.</exception>
    public static torch.Device Resolve(string? name)
    {
        var n = (name ?? "").Trim().ToLowerInvariant();
        if (n is "" or "cpu")
        {
            FaceNetRuntime.EnsureInitialized();
            return torch.CPU;
        }
        int index;
        if (n == "auto") index = -1;
        else if (n == "cuda") index = 0;
        else if (!n.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(n.AsSpan(5), System.Globalization.NumberStyles.None,
                     System.Globalization.CultureInfo.InvariantCulture, out index))
            throw new DeviceNotAvailableException($"Device '{PrintableText.Of(name!)}' is not valid: use {Forms}.");
        FaceNetRuntime.EnsureInitialized();
        if (!CudaDevices.IsAvailable)
        {
            if (index < 0) return torch.CPU;
            throw new DeviceNotAvailableException(
                $"Device 'cuda:{index}' was asked for but CUDA is not available in this process: reference TorchSharp-cuda-linux " +
                "(or TorchSharp-cuda-windows) instead of the CPU backend and check the NVIDIA driver, or use 'cpu'.");
        }
        if (index < 0) index = 0;
        int count = CudaDevices.Count;
        if (index >= count)
            throw new DeviceNotAvailableException($"Device 'cuda:{index}' does not exist: this machine has {count} CUDA device(s) (cuda:0 to cuda:{count - 1}).");
        return new torch.Device(DeviceType.CUDA, index);
    }

    /// <summary>The canonical name of a resolved device (<c>cpu</c> or <c>cuda:N</c>).</summary>
    public static string NameOf(torch.Device device) =>
        device.type == DeviceType.CUDA ? $"cuda:{Math.Max(device.index, 0)}" : "cpu";
}
