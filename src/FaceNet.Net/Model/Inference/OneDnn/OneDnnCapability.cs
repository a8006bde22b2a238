using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// The capability gate of the oneDNN backend: it runs only on the CPU, in float32, bfloat16 or int8, on a libtorch version
/// its operator schemas were verified with (<see cref="VerifiedLibTorch"/>), and where the load-time probes of
/// <see cref="FusedConvolution"/> (and for int8 <see cref="QuantizedConvolution"/>) pass. The version is checked first because a schema that does not match ends the
/// process when TorchScript compiles it; nothing is loaded on other versions. Stateless, thread-safe.
/// </summary>
internal static class OneDnnCapability
{
    /// <summary>The libtorch versions (prefix) whose <c>mkldnn::_convolution_pointwise</c> schema the backend is written for.</summary>
    public const string VerifiedLibTorch = "2.10.";

    /// <summary>Null when the oneDNN backend can run with <paramref name="settings"/>; else why not (one clause, for a log line).</summary>
    public static string? Refusal(InferenceSettings settings)
    {
        if (settings.Device.type != TorchSharp.DeviceType.CPU) return $"the device is {settings.Device}, and the oneDNN backend is for the CPU";
        if (settings.DType is not (ScalarType.Float32 or ScalarType.BFloat16)) return $"the precision is {settings.DType}, and the oneDNN backend runs float32 and bfloat16";
        if (!settings.ChannelsLast) return $"{Configuration.EnvironmentOverrides.ChannelsLast} turns channels-last off, and the oneDNN backend runs channels-last";
        if (!settings.FusedConvolution) return $"{Configuration.EnvironmentOverrides.FusedConvolution} turns it off";
        if (settings.LibTorchVersion is null || !settings.LibTorchVersion.StartsWith(VerifiedLibTorch, StringComparison.Ordinal))
            return $"the loaded libtorch is {settings.LibTorchVersion ?? "of unknown version"}, and the backend is verified on libtorch {VerifiedLibTorch}x only";
        if (!FusedConvolution.TryLoad()) return "libtorch's fused oneDNN convolution did not pass its load-time probe (a libtorch without oneDNN?)";
        if (!FusedConvolution.Supports(settings.DType)) return $"oneDNN does not run {settings.DType} convolutions on this CPU";
        if (settings.Int8 && !QuantizedConvolution.TryLoad()) return "libtorch's oneDNN int8 convolution did not pass its load-time probe";
        return null;
    }
}
