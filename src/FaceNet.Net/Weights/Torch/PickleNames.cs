namespace FaceNet.Net.Weights.Torch;

/// <summary>Names of unpickled values for messages (never their content, which may be large or hostile).</summary>
internal static class PickleNames
{
    /// <summary>A short name of what <paramref name="value"/> is: <c>str</c>, <c>int</c>, <c>tuple</c>, <c>tensor</c>, ...</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long or System.Numerics.BigInteger => "int",
        double => "float",
        string => "str",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => g.ToString(),
        TorchStorageRef => "storage",
        TorchTensorRef => "tensor",
        _ => value.GetType().Name,
    };
}
