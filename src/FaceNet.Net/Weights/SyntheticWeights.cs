using FaceNet.Net.Model.Network;

namespace FaceNet.Net.Weights;

/// <summary>
/// Seeded random values for every tensor of the network (what <see cref="FaceNetWeights.WriteSynthetic"/> writes),
/// drawn with <see cref="Random"/> in ordinal name order, so the result depends on the seed and size only.
/// Stateless and thread-safe.
/// </summary>
internal static class SyntheticWeights
{
    /// <summary>The network's tensors for <paramref name="embeddingSize"/>, filled from <paramref name="seed"/>.</summary>
    public static WeightSet Create(int embeddingSize, int seed)
    {
        var shapes = NetworkShapes.For(embeddingSize);
        var random = new Random(seed);
        var set = new WeightSet();
        foreach (var name in shapes.Keys.Order(StringComparer.Ordinal))
        {
            var shape = shapes[name];
            var values = new float[Shapes.ElementCount(shape)];
            var (low, high) = Range(name, shape, shapes);
            for (int i = 0; i < values.Length; i++) values[i] = low + (high - low) * random.NextSingle();
            set.Add(new TensorData(name, (long[])shape.Clone(), values));
        }
        return set;
    }

    /// <summary>The uniform range of one tensor, by its role (told by its name and its siblings).</summary>
    private static (float Low, float High) Range(string name, long[] shape, IReadOnlyDictionary<string, long[]> shapes)
    {
        int dot = name.LastIndexOf('.');
        string owner = name[..dot], field = name[(dot + 1)..];
        bool batchNorm = shapes.ContainsKey(owner + ".running_mean");
        switch (field)
        {
            case "running_var":
                return (0.5f, 1.5f);
            case "running_mean":
                return (-0.1f, 0.1f);
            case "weight" when batchNorm:
                return (0.5f, 1.5f);
            case "bias" when batchNorm:
                return (-0.1f, 0.1f);
            case "weight":
                return Symmetric(FanIn(shape));
            case "bias" when shapes.TryGetValue(owner + ".weight", out var weight):
                return Symmetric(FanIn(weight));
            default:
                throw new InvalidOperationException($"No initialisation rule for network tensor '{name}'.");
        }
    }

    /// <summary>Inputs per output unit of a convolution or linear weight: every dimension but the first.</summary>
    private static long FanIn(long[] weightShape) => weightShape.Skip(1).Aggregate(1L, (a, d) => a * d);

    private static (float, float) Symmetric(long fanIn)
    {
        float bound = 1f / MathF.Sqrt(fanIn);
        return (-bound, bound);
    }
}
