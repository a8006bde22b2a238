namespace FaceNet.Net.Weights;

/// <summary>
/// A weight file could not be read or does not fit the network: not a Keras HDF5, safetensors or PyTorch <c>.pt</c>
/// file, corrupt or truncated, a pickle using anything beyond tensors and containers (refused, never executed), or
/// with missing, unexpected or mis-shaped weights (all listed by name in one message).
/// </summary>
public sealed class WeightLoadException : FaceNetException
{
    /// <summary>Creates the exception with a message.</summary>
    public WeightLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public WeightLoadException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a file whose weights do not match the network.</summary>
    public WeightLoadException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> misshaped)
        : base(message)
    {
        Missing = missing;
        Unexpected = unexpected;
        Misshaped = misshaped;
    }

    /// <summary>Weights the network needs that the file lacks (Keras <c>layer/weight</c> names or tensor names).</summary>
    public IReadOnlyList<string> Missing { get; } = [];

    /// <summary>Weights in the file that the network has no place for.</summary>
    public IReadOnlyList<string> Unexpected { get; } = [];

    /// <summary>Weights whose shape differs from the network's, with both shapes.</summary>
    public IReadOnlyList<string> Misshaped { get; } = [];
}
