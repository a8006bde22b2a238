using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FaceNet.Net.Model;
using FaceNet.Net.Training;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Load time of the full 128-d network from the Keras h5 versus its converted safetensors
/// (<c>shared/fixtures/reference-128/weights.h5</c>, 92 MB). <c>Load*</c> is what a caller pays
/// (<see cref="FaceNetModel.Load"/>: read, check, build the network, copy the weights); <c>Inspect*</c> is
/// <see cref="FaceNetWeights.Inspect"/> (what <c>facenet-convert inspect</c> pays: the h5's structure, the whole
/// safetensors file); <c>BuildNetwork</c> is building the untrained network alone. Public API only. Set
/// <c>FACENET_SHARED</c> or place <c>shared/</c> beside the repository.
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

    /// <summary>Describing the h5 (<see cref="FaceNetWeights.Inspect"/>), without reading its values into the network.</summary>
    [Benchmark]
    public long InspectH5() => FaceNetWeights.Inspect(_h5).ParameterCount;

    /// <summary>Describing the safetensors (<see cref="FaceNetWeights.Inspect"/>: reads every tensor), without building the network.</summary>
    [Benchmark]
    public long InspectSafetensors() => FaceNetWeights.Inspect(_safetensors).ParameterCount;

    /// <summary>Building the 128-d network alone (randomly initialised, before any weights are copied in).</summary>
    [Benchmark]
    public long BuildNetwork()
    {
        var (network, _) = TrainableNetworks.FromMetadata(TrainableNetworks.InceptionResnetV1Metadata(128));
        using (network) return network.parameters().Count();
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
