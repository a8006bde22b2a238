using FaceNet.Net.Weights;
using PureHDF;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>One Keras weight as a test writes it: its name in <c>weight_names</c>, shape and values (Keras layout).</summary>
internal sealed record KerasTestWeight(string Name, long[] Shape, float[] Values);

/// <summary>One Keras layer: its name and weights (none for weightless layers).</summary>
internal sealed record KerasTestLayer(string Name, List<KerasTestWeight> Weights);

/// <summary>How a test writes a Keras HDF5 file: the layout variants published files use.</summary>
internal sealed record KerasFileOptions
{
    /// <summary>Full-model file: root attributes <c>model_config</c>, <c>keras_version</c>, <c>backend</c>, weights under <c>model_weights</c>.</summary>
    public bool FullModel { get; init; }

    /// <summary>Split <c>layer_names</c> into <c>layer_names0</c>, <c>layer_names1</c>, <c>layer_names2</c>.</summary>
    public bool SplitLayerNames { get; init; }

    /// <summary>Split every layer's <c>weight_names</c> into <c>weight_names0</c>, <c>weight_names1</c>.</summary>
    public bool SplitWeightNames { get; init; }

    /// <summary>How weight names are spelled.</summary>
    public WeightNameStyle NameStyle { get; init; } = WeightNameStyle.WithIndex;

    /// <summary>Fixed-length strings (as h5py writes numpy byte strings) instead of variable-length ones.</summary>
    public bool FixedLengthStrings { get; init; } = true;

    /// <summary>List weightless layers (<c>input_1</c>, activations) in <c>layer_names</c>.</summary>
    public bool WeightlessLayers { get; init; } = true;

    /// <summary>Leave out the <c>weight_names</c> attributes (a reader must search the groups).</summary>
    public bool OmitWeightNames { get; init; }

    /// <summary>Declare datasets with their shapes but write no data (tiny files for tests that fail before reading values).</summary>
    public bool ShapesOnly { get; init; }
}

/// <summary>Spellings of Keras weight names.</summary>
internal enum WeightNameStyle
{
    /// <summary><c>Conv2d_1a_3x3/kernel:0</c> (Keras 2).</summary>
    WithIndex,

    /// <summary><c>Conv2d_1a_3x3/kernel</c>.</summary>
    WithoutIndex,

    /// <summary><c>inception_resnet_v1/Conv2d_1a_3x3/kernel:0</c> (a nested model's prefix).</summary>
    Prefixed,

    /// <summary><c>kernel:0</c> directly in the layer group.</summary>
    Bare,
}

/// <summary>Writes Keras-layout HDF5 files with PureHDF, from torch-named weights through <see cref="KerasWeightMap"/> inverted.</summary>
internal static class KerasTestFile
{
    /// <summary>The Keras layers for torch-named weights, in network order (gamma only when <paramref name="includeGamma"/>).</summary>
    public static List<KerasTestLayer> LayersFrom(WeightSet weights, bool includeGamma = false)
    {
        var layers = new List<KerasTestLayer>();
        foreach (var rule in KerasWeightMap.Rules)
        {
            if (rule.DefaultsToOne && !includeGamma) continue;
            Assert.That(weights.TryGet(rule.TorchName, out var tensor), Is.True, rule.TorchName);
            var kerasShape = KerasWeightMap.KerasShape(rule.Transform, tensor.Shape);
            var values = KerasLayout.ToKeras(rule.Transform, tensor.Shape, tensor.Values);
            var layer = layers.LastOrDefault(l => l.Name == rule.KerasLayer);
            if (layer is null) layers.Add(layer = new KerasTestLayer(rule.KerasLayer, []));
            layer.Weights.Add(new KerasTestWeight(rule.KerasWeight, kerasShape, values));
        }
        return layers;
    }

    /// <summary>Writes <paramref name="layers"/> as a Keras file.</summary>
    public static void Write(string path, IReadOnlyList<KerasTestLayer> layers, KerasFileOptions? options = null)
    {
        options ??= new KerasFileOptions();
        var all = new List<KerasTestLayer>();
        if (options.WeightlessLayers) all.Add(new KerasTestLayer("input_1", []));
        foreach (var layer in layers)
        {
            all.Add(layer);
            if (options.WeightlessLayers && layer.Name.EndsWith("_BatchNorm", StringComparison.Ordinal))
                all.Add(new KerasTestLayer(layer.Name[..^"_BatchNorm".Length] + "_Activation", []));
        }

        var weightsRoot = new H5Group();
        foreach (var layer in all)
        {
            var group = new H5Group();
            var names = new List<string>();
            foreach (var w in layer.Weights)
            {
                string name = options.NameStyle switch
                {
                    WeightNameStyle.WithIndex => $"{layer.Name}/{w.Name}:0",
                    WeightNameStyle.WithoutIndex => $"{layer.Name}/{w.Name}",
                    WeightNameStyle.Prefixed => $"inception_resnet_v1/{layer.Name}/{w.Name}:0",
                    _ => $"{w.Name}:0",
                };
                names.Add(name);
                var parts = name.Split('/');
                var parent = group;
                foreach (var part in parts[..^1])
                {
                    if (!parent.TryGetValue(part, out var child)) parent[part] = child = new H5Group();
                    parent = (H5Group)child;
                }
                var dims = w.Shape.Select(d => (ulong)d).ToArray();
                parent[parts[^1]] = options.ShapesOnly ? new H5Dataset<float[]>(fileDims: dims, chunks: dims.Select(d => (uint)Math.Max(1UL, d)).ToArray()) : new H5Dataset(w.Values, fileDims: dims);
            }
            if (!options.OmitWeightNames && names.Count > 0)
            {
                if (options.SplitWeightNames && names.Count > 1)
                {
                    int half = names.Count / 2;
                    group.Attributes["weight_names0"] = names.Take(half).ToArray();
                    group.Attributes["weight_names1"] = names.Skip(half).ToArray();
                }
                else group.Attributes["weight_names"] = names.ToArray();
            }
            weightsRoot[layer.Name] = group;
        }

        var layerNames = all.Select(l => l.Name).ToArray();
        if (options.SplitLayerNames)
        {
            int third = (layerNames.Length + 2) / 3;
            for (int i = 0; i < 3; i++) weightsRoot.Attributes["layer_names" + i] = layerNames.Skip(i * third).Take(third).ToArray();
        }
        else weightsRoot.Attributes["layer_names"] = layerNames;
        weightsRoot.Attributes["backend"] = "tensorflow";
        weightsRoot.Attributes["keras_version"] = "2.1.2";

        var file = new H5File();
        if (options.FullModel)
        {
            file.Attributes["model_config"] = """{"class_name": "Model", "config": {"name": "inception_resnet_v1"}}""";
            file.Attributes["keras_version"] = "2.1.2";
            file.Attributes["backend"] = "tensorflow";
            file["model_weights"] = weightsRoot;
        }
        else
        {
            foreach (var (k, v) in weightsRoot) file[k] = v;
            foreach (var (k, v) in weightsRoot.Attributes) file.Attributes[k] = v;
        }
        var stringLength = options.FixedLengthStrings ? 128 : 0;
        file.Write(path, new H5WriteOptions(DefaultStringLength: stringLength));
    }
}
