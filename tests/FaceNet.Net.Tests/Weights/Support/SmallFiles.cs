using FaceNet.Net.Weights;
using PureHDF;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>Small weight files (a few KB) for corruption and mutation tests.</summary>
internal static class SmallFiles
{
    /// <summary>A small Keras-layout file: three layers of the network's stem with random weights of their real shapes.</summary>
    public static void WriteSmallKeras(string path, int seed = 1)
    {
        var random = new Random(seed);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var layers = new List<KerasTestLayer>
        {
            new("Conv2d_1a_3x3", [new("kernel", [3, 3, 3, 32], Values(3 * 3 * 3 * 32))]),
            new("Conv2d_1a_3x3_BatchNorm", [new("beta", [32], Values(32)), new("moving_mean", [32], Values(32)), new("moving_variance", [32], Values(32))]),
            new("Block35_1_Conv2d_1x1", [new("kernel", [1, 1, 96, 8], Values(96 * 8)), new("bias", [8], Values(8))]),
        };
        KerasTestFile.Write(path, layers, new KerasFileOptions { SplitLayerNames = true });
    }

    /// <summary>A small safetensors file with a few tensors and metadata.</summary>
    public static void WriteSmallSafetensors(string path, int seed = 1)
    {
        var random = new Random(seed);
        var set = new WeightSet();
        set.Add(new TensorData("a.weight", [4, 3], Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble()).ToArray()));
        set.Add(new TensorData("b.bias", [5], Enumerable.Range(0, 5).Select(_ => (float)random.NextDouble()).ToArray()));
        set.Add(new TensorData("c.scalar", [], [1.5f]));
        using var stream = File.Create(path);
        SafetensorsFile.Write(stream, set, new Dictionary<string, string> { ["format"] = "pt", ["facenet.embedding_size"] = "128" });
    }

    /// <summary>An HDF5 file that is not Keras weights: a group and a dataset, no <c>layer_names</c>.</summary>
    public static void WriteNonKerasHdf5(string path)
    {
        var file = new H5File
        {
            ["measurements"] = new H5Group { ["temperature"] = new H5Dataset(new float[] { 20.5f, 21f, 19.75f }) },
        };
        file.Attributes["title"] = "not a Keras file";
        file.Write(path);
    }

    /// <summary>Reads everything in a weight file the way loading does, up to the network check: detect, parse, read all arrays.</summary>
    public static void ReadEverything(string path)
    {
        if (WeightFileDetector.Detect(path) == WeightFileFormat.KerasH5)
        {
            using var archive = KerasH5Archive.Open(path);
            foreach (var w in archive.Weights) archive.Read(w);
        }
        else
        {
            SafetensorsFile.Read(path);
        }
    }
}
