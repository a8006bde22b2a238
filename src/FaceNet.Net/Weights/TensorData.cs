namespace FaceNet.Net.Weights;

/// <summary>One float32 tensor held in managed memory: its network parameter name, shape and values (row-major).</summary>
internal sealed record TensorData(string Name, long[] Shape, float[] Values)
{
    /// <summary>The shape as <c>[a, b, c]</c>, for messages.</summary>
    public string ShapeText => Shapes.Format(Shape);
}

/// <summary>Shape helpers shared by the readers.</summary>
internal static class Shapes
{
    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    public static string Format(IEnumerable<ulong> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The number of elements, or -1 when a dimension is negative or the product exceeds <paramref name="limit"/>.</summary>
    public static long ElementCount(IReadOnlyList<long> shape, long limit = long.MaxValue)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) return -1;
            if (d != 0 && count > limit / d) return -1;
            count *= d;
        }
        return count <= limit ? count : -1;
    }
}
