using BenchmarkDotNet.Attributes;
using TorchSharp;

namespace FaceNet.Net.Benchmarks;

/// <summary>A baseline: one 2048x2048 float32 matrix product, the machine's attainable GEMM rate.</summary>
[MemoryDiagnoser]
public class TensorBenchmarks
{
    private torch.Tensor _a = null!;
    private torch.Tensor _b = null!;

    /// <summary>Creates the operands once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _a = torch.randn(2048, 2048);
        _b = torch.randn(2048, 2048);
    }

    /// <summary>One 2048² matmul (17.2 GFLOP).</summary>
    [Benchmark]
    public void Matmul2048()
    {
        using var c = _a.matmul(_b);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
