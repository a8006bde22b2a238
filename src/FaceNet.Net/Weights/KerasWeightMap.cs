namespace FaceNet.Net.Weights;

/// <summary>How a Keras array becomes the torch parameter.</summary>
internal enum KerasTransform
{
    /// <summary>Same shape and order (biases, BatchNorm vectors).</summary>
    Copy,

    /// <summary>Conv2D kernel (kh, kw, in, out) → torch (out, in, kh, kw).</summary>
    ConvKernel,

    /// <summary>Dense kernel (in, out) → torch (out, in).</summary>
    DenseKernel,
}

/// <summary>One row of the table: Keras layer and weight → torch parameter.</summary>
/// <param name="KerasLayer">The Keras layer name (<c>Block35_1_Branch_0_Conv2d_1x1_BatchNorm</c>).</param>
/// <param name="KerasWeight">The weight within the layer, the last component of its name without <c>:0</c> (<c>kernel</c>, <c>bias</c>, <c>beta</c>, <c>gamma</c>, <c>moving_mean</c>, <c>moving_variance</c>).</param>
/// <param name="TorchName">The network parameter (<c>repeat_1.0.branch0.bn.bias</c>).</param>
/// <param name="Transform">How the array is reordered.</param>
/// <param name="DefaultsToOne">True for BatchNorm <c>gamma</c>: the published layers use <c>scale=False</c>, so it is
/// usually absent and the parameter is 1; when a file has it, it is used.</param>
internal sealed record KerasWeightRule(string KerasLayer, string KerasWeight, string TorchName, KerasTransform Transform, bool DefaultsToOne = false)
{
    /// <summary><c>layer/weight</c>, as messages name it.</summary>
    public string KerasName => KerasLayer + "/" + KerasWeight;
}

/// <summary>
/// THE table from Keras names to the parameters of <see cref="Model.Network.InceptionResnetV1"/>: the only place
/// where a Keras name becomes a parameter. Stages in network order; blocks expand to their branches.
/// </summary>
internal static class KerasWeightMap
{
    /// <summary>Every rule, in network order.</summary>
    public static IReadOnlyList<KerasWeightRule> Rules { get; } = Build().ToList();

    private static IEnumerable<KerasWeightRule> Build()
    {
        // Stem                                        Keras layer            torch module
        foreach (var r in Unit("Conv2d_1a_3x3", "conv2d_1a")) yield return r;
        foreach (var r in Unit("Conv2d_2a_3x3", "conv2d_2a")) yield return r;
        foreach (var r in Unit("Conv2d_2b_3x3", "conv2d_2b")) yield return r;
        foreach (var r in Unit("Conv2d_3b_1x1", "conv2d_3b")) yield return r;
        foreach (var r in Unit("Conv2d_4a_3x3", "conv2d_4a")) yield return r;
        foreach (var r in Unit("Conv2d_4b_3x3", "conv2d_4b")) yield return r;

        // 5 x Block35 → repeat_1.0 .. repeat_1.4
        for (int i = 1; i <= 5; i++)
            foreach (var r in Block($"Block35_{i}", $"repeat_1.{i - 1}",
                         ("Branch_0_Conv2d_1x1", "branch0"),
                         ("Branch_1_Conv2d_0a_1x1", "branch1.0"), ("Branch_1_Conv2d_0b_3x3", "branch1.1"),
                         ("Branch_2_Conv2d_0a_1x1", "branch2.0"), ("Branch_2_Conv2d_0b_3x3", "branch2.1"), ("Branch_2_Conv2d_0c_3x3", "branch2.2")))
                yield return r;

        // Mixed_6a (branch 2 is a max pool)
        foreach (var r in Units("Mixed_6a", "mixed_6a",
                     ("Branch_0_Conv2d_1a_3x3", "branch0"),
                     ("Branch_1_Conv2d_0a_1x1", "branch1.0"), ("Branch_1_Conv2d_0b_3x3", "branch1.1"), ("Branch_1_Conv2d_1a_3x3", "branch1.2")))
            yield return r;

        // 10 x Block17 → repeat_2.0 .. repeat_2.9
        for (int i = 1; i <= 10; i++)
            foreach (var r in Block($"Block17_{i}", $"repeat_2.{i - 1}",
                         ("Branch_0_Conv2d_1x1", "branch0"),
                         ("Branch_1_Conv2d_0a_1x1", "branch1.0"), ("Branch_1_Conv2d_0b_1x7", "branch1.1"), ("Branch_1_Conv2d_0c_7x1", "branch1.2")))
                yield return r;

        // Mixed_7a (branch 3 is a max pool)
        foreach (var r in Units("Mixed_7a", "mixed_7a",
                     ("Branch_0_Conv2d_0a_1x1", "branch0.0"), ("Branch_0_Conv2d_1a_3x3", "branch0.1"),
                     ("Branch_1_Conv2d_0a_1x1", "branch1.0"), ("Branch_1_Conv2d_1a_3x3", "branch1.1"),
                     ("Branch_2_Conv2d_0a_1x1", "branch2.0"), ("Branch_2_Conv2d_0b_3x3", "branch2.1"), ("Branch_2_Conv2d_1a_3x3", "branch2.2")))
            yield return r;

        // 5 x Block8 → repeat_3.0 .. repeat_3.4, then Block8_6 (scale 1, no ReLU) → block8
        for (int i = 1; i <= 6; i++)
            foreach (var r in Block($"Block8_{i}", i <= 5 ? $"repeat_3.{i - 1}" : "block8",
                         ("Branch_0_Conv2d_1x1", "branch0"),
                         ("Branch_1_Conv2d_0a_1x1", "branch1.0"), ("Branch_1_Conv2d_0b_1x3", "branch1.1"), ("Branch_1_Conv2d_0c_3x1", "branch1.2")))
                yield return r;

        // Head: Dense 1792 → D without bias, BatchNorm1d (scale=False)
        yield return new("Bottleneck", "kernel", "last_linear.weight", KerasTransform.DenseKernel);
        foreach (var r in BatchNorm("Bottleneck_BatchNorm", "last_bn")) yield return r;
    }

    /// <summary>A conv2d_bn unit: <c>k</c> (kernel) and <c>k_BatchNorm</c> → <c>t.conv</c>, <c>t.bn</c>.</summary>
    private static IEnumerable<KerasWeightRule> Unit(string keras, string torch) =>
        BatchNorm(keras + "_BatchNorm", torch + ".bn").Prepend(new(keras, "kernel", torch + ".conv.weight", KerasTransform.ConvKernel));

    private static IEnumerable<KerasWeightRule> BatchNorm(string keras, string torch) =>
    [
        new(keras, "gamma", torch + ".weight", KerasTransform.Copy, DefaultsToOne: true),
        new(keras, "beta", torch + ".bias", KerasTransform.Copy),
        new(keras, "moving_mean", torch + ".running_mean", KerasTransform.Copy),
        new(keras, "moving_variance", torch + ".running_var", KerasTransform.Copy),
    ];

    private static IEnumerable<KerasWeightRule> Units(string kerasBlock, string torchBlock, params (string Keras, string Torch)[] units) =>
        units.SelectMany(u => Unit($"{kerasBlock}_{u.Keras}", $"{torchBlock}.{u.Torch}"));

    /// <summary>A residual block: its branch units, then the 1x1 up-projection with bias (<c>Block_i_Conv2d_1x1</c> → <c>conv2d</c>).</summary>
    private static IEnumerable<KerasWeightRule> Block(string kerasBlock, string torchBlock, params (string Keras, string Torch)[] units) =>
        Units(kerasBlock, torchBlock, units).Concat(
        [
            new($"{kerasBlock}_Conv2d_1x1", "kernel", $"{torchBlock}.conv2d.weight", KerasTransform.ConvKernel),
            new($"{kerasBlock}_Conv2d_1x1", "bias", $"{torchBlock}.conv2d.bias", KerasTransform.Copy),
        ]);

    /// <summary>The Keras shape of a torch shape under <paramref name="transform"/>.</summary>
    public static long[] KerasShape(KerasTransform transform, IReadOnlyList<long> torchShape) => transform switch
    {
        KerasTransform.ConvKernel => [torchShape[2], torchShape[3], torchShape[1], torchShape[0]],
        KerasTransform.DenseKernel => [torchShape[1], torchShape[0]],
        _ => torchShape.ToArray(),
    };

    /// <summary>Reorders a Keras array (already checked to have <paramref name="kerasShape"/>) into torch order.</summary>
    public static float[] ToTorch(KerasTransform transform, long[] kerasShape, float[] values)
    {
        switch (transform)
        {
            case KerasTransform.ConvKernel:
            {
                // (kh, kw, in, out) → (out, in, kh, kw)
                int kh = (int)kerasShape[0], kw = (int)kerasShape[1], ci = (int)kerasShape[2], co = (int)kerasShape[3];
                var result = new float[values.Length];
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        for (int i = 0; i < ci; i++)
                        {
                            int src = ((y * kw + x) * ci + i) * co;
                            for (int o = 0; o < co; o++)
                                result[((o * ci + i) * kh + y) * kw + x] = values[src + o];
                        }
                return result;
            }
            case KerasTransform.DenseKernel:
            {
                // (in, out) → (out, in)
                int ci = (int)kerasShape[0], co = (int)kerasShape[1];
                var result = new float[values.Length];
                for (int i = 0; i < ci; i++)
                    for (int o = 0; o < co; o++)
                        result[o * ci + i] = values[i * co + o];
                return result;
            }
            default:
                return values;
        }
    }
}
