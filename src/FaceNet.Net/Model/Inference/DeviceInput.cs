using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Moves network inputs to the compute device and type, and outputs back to float32 on the CPU. For a CUDA device
/// a CPU batch is copied through pinned (page-locked) memory with a non-blocking copy, so the transfer overlaps
/// the host work that follows it on the stream. Stateless, thread-safe.
/// </summary>
internal static class DeviceInput
{
    /// <summary>The batch on <paramref name="device"/> in <paramref name="dtype"/>, dense NCHW or dense channels-last (may be the input itself).</summary>
    public static Tensor Prepare(Tensor batch, Device device, ScalarType dtype)
    {
        var x = batch;
        if (device.type == TorchSharp.DeviceType.CUDA && x.device_type == TorchSharp.DeviceType.CPU)
        {
            // Cast on the CPU only when it shrinks the transfer (half precision); pinned + non_blocking lets the copy run async.
            if (x.dtype != dtype) x = x.to(dtype);
            x = x.contiguous().pin_memory().to(device, non_blocking: true);
        }
        else if (x.device_type != device.type || x.device_index != device.index)
        {
            x = x.to(device);
        }
        if (x.dtype != dtype) x = x.to(dtype);
        // Dense NCHW or dense channels-last both go to the network as they are; anything else is made dense.
        return x.is_contiguous() || MemoryLayout.IsChannelsLast(x) ? x : x.contiguous();
    }

    /// <summary>A new float32 CPU tensor with the values of <paramref name="output"/>.</summary>
    public static Tensor ToCpuFloat32(Tensor output)
    {
        var x = output.device_type == TorchSharp.DeviceType.CPU ? output : output.to(CPU); // synchronises with the stream
        return x.to(ScalarType.Float32, copy: true).detach();
    }
}
