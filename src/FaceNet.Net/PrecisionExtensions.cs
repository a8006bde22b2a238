using TorchSharp;

namespace FaceNet.Net;

/// <summary>The TorchSharp type behind each <see cref="Precision"/>, for the code that places tensors. Stateless, thread-safe.</summary>
internal static class PrecisionExtensions
{
    /// <summary>The scalar type the network computes in for <paramref name="precision"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not a defined value.</exception>
    public static torch.ScalarType ToScalarType(this Precision precision) => precision switch
    {
        Precision.Float32 => torch.ScalarType.Float32,
        Precision.Float16 => torch.ScalarType.Float16,
        Precision.BFloat16 => torch.ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "the precision must be Float32, Float16 or BFloat16"),
    };
}
