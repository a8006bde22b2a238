using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FaceNet.Net.Model;
using FaceNet.Net.Model.Network;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Load time of the full 128-d network from the Keras h5 versus its converted safetensors
/// (<c>shared/fixtures/reference-128/weights.h5</c>, 92 MB). <c>Load*</c> is what a caller pays
/// (<see cref="FaceNetModel.Load"/>: read, check, build the network, copy the weights); <c>Read*</c> is
/// reading and checking the file alone. Set <c>FACENET_SHARED</c> or place <c>shared/</c> beside the repository.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class WeightLoadingBenchmarks
{
    private string _h5 = null!;
    private string _safetensors = null!;

    /// <summary>Finds the fixture and converts it once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _h5 = Path.Combine(SharedFolder(), "fixtures", "reference-128", "weights.h5");
        if (!File.Exists(_h5)) throw new FileNotFoundException("reference weights not found; set FACENET_SHARED", _h5);
        _safetensors = Path.Combine(Path.GetTempPath(), $"facenet-bench-{Environment.ProcessId}.safetensors");
        FaceNetWeights.ConvertToSafetensors(_h5, _safetensors);
        using (FaceNetModel.Load(_safetensors)) { } // builds the cached network shapes before timing
    }

    /// <summary>Deletes the converted file.</summary>
    [GlobalCleanup]
    public void Cleanup() => File.Delete(_safetensors);

    /// <summary>FaceNetModel.Load from the Keras h5.</summary>
    [Benchmark(Baseline = true)]
    public int LoadH5()
    {
        using var model = FaceNetModel.Load(_h5);
        return model.EmbeddingSize;
    }

    /// <summary>FaceNetModel.Load from the safetensors.</summary>
    [Benchmark]
    public int LoadSafetensors()
    {
        using var model = FaceNetModel.Load(_safetensors);
        return model.EmbeddingSize;
    }

    /// <summary>Reading and checking the h5 into tensors, without building the network.</summary>
    [Benchmark]
    public long ReadH5() => WeightReader.Read(_h5).Weights.Count;

    /// <summary>Reading and checking the safetensors, without building the network.</summary>
    [Benchmark]
    public long ReadSafetensors() => WeightReader.Read(_safetensors).Weights.Count;

    /// <summary>Building the network alone (randomly initialised, before any weights are copied in).</summary>
    [Benchmark]
    public int BuildNetwork()
    {
        using var network = new InceptionResnetV1(128);
        return network.EmbeddingSize;
    }

    private static string SharedFolder()
    {
        var env = Environment.GetEnvironmentVariable("FACENET_SHARED");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FaceNet.Net.sln"))) return Path.Combine(dir.Parent!.FullName, "shared");
        return "shared";
    }
}
