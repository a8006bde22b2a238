using static TorchSharp.torch;

namespace FaceNet.Net;

/// <summary>Maps the library's <see cref="Precision"/> onto TorchSharp's scalar types. Stateless, thread-safe.</summary>
internal static class PrecisionExtensions
{
    /// <summary>The TorchSharp type of <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="Precision"/>.</exception>
    public static ScalarType ToScalarType(this Precision precision) => precision switch
    {
        Precision.Float32 => ScalarType.Float32,
        Precision.Float16 => ScalarType.Float16,
        Precision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "the precision must be Float32, Float16 or BFloat16"),
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
