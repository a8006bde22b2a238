using FaceNet.Net.Devices;
using static TorchSharp.torch;

namespace FaceNet.Net;

/// <summary>Maps the library's <see cref="Precision"/> onto TorchSharp's scalar types, resolving <see cref="Precision.Auto"/> for a device. Stateless, thread-safe.</summary>
internal static class PrecisionExtensions
{
    /// <summary>
    /// The precision a model on <paramref name="device"/> computes in: <paramref name="precision"/> itself, or for
    /// <see cref="Precision.Auto"/> bfloat16 on a CPU with native BF16 (<see cref="CpuFeatures.NativeBFloat16"/>) and
    /// float32 elsewhere.
    /// </summary>
    public static Precision ResolveFor(this Precision precision, Device device) =>
        precision != Precision.Auto ? precision
        : device.type == TorchSharp.DeviceType.CPU && CpuFeatures.NativeBFloat16 ? Precision.BFloat16 : Precision.Float32;

    /// <summary>
    /// The TorchSharp type the network's tensors are in for <paramref name="precision"/> (resolve
    /// <see cref="Precision.Auto"/> first: <see cref="ResolveFor"/>). For <see cref="Precision.Int8"/> that is float32:
    /// only the body's convolutions compute in 8-bit integers, their inputs and outputs are float32.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="Precision"/>, or <see cref="Precision.Auto"/>.</exception>
    public static ScalarType ToScalarType(this Precision precision) => precision switch
    {
        Precision.Float32 or Precision.Int8 => ScalarType.Float32,
        Precision.Float16 => ScalarType.Float16,
        Precision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "the precision must be Float32, Float16, BFloat16, Int8 or (resolved first) Auto"),
    };

    /// <summary>The library's name of a TorchSharp type the network can compute in.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not float32, float16 or bfloat16.</exception>
    public static Precision ToPrecision(this ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => Precision.Float32,
        ScalarType.Float16 => Precision.Float16,
        ScalarType.BFloat16 => Precision.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "the precision must be float32, float16 or bfloat16"),
    };
}
