using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// One read of a 1,000,000 x 128 float32 matrix (512 MB, a sum over it): the memory-bandwidth floor of a 1:N probe
/// over a 1M gallery (<see cref="GalleryProbeBenchmarks"/>). Bandwidth = 512 MB / Mean.
/// </summary>
[MemoryDiagnoser]
public class MemoryBandwidthBenchmarks
{
    private torch.Tensor _matrix = null!;

    /// <summary>Creates the matrix once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _matrix = torch.rand(1_000_000, 128);
    }

    /// <summary>Reads the 512 MB matrix once.</summary>
    [Benchmark]
    public float Read512MegabyteMatrix()
    {
        using var sum = _matrix.sum();
        return sum.item<float>();
    }

    /// <summary>Frees the matrix.</summary>
    [GlobalCleanup]
    public void Cleanup() => _matrix.Dispose();
}
