using BenchmarkDotNet.Attributes;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using TorchSharp;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// One 1:K probe (top-5 identities) against N enrolled random 128-d unit embeddings, next to the time of one
/// read of the same [N, 128] float32 matrix (a sum over it): the probe's floor set by memory bandwidth.
/// </summary>
[MemoryDiagnoser]
public class GalleryProbeBenchmarks
{
    private const int Dimension = 128;
    private InMemoryFaceGallery _gallery = null!;
    private FaceEmbedding _probe = null!;
    private torch.Tensor _matrix = null!;

    /// <summary>Enrolled embeddings (one identity each).</summary>
    [Params(10_000, 100_000, 1_000_000)]
    public int N { get; set; }

    /// <summary>Enrols N seeded random unit embeddings and builds the search matrix (the first search builds it).</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _gallery = BenchmarkAssets.RandomGallery(N, out _probe);
        _gallery.Identify(_probe, 5);
        _matrix = torch.rand(N, Dimension);
    }

    /// <summary>One read of an [N, 128] float32 matrix: the memory-bandwidth floor of a probe.</summary>
    [Benchmark(Baseline = true)]
    public float ReadMatrixOnce()
    {
        using var sum = _matrix.sum();
        return sum.item<float>();
    }

    /// <summary>Top-5 identification of one probe.</summary>
    [Benchmark]
    public IdentificationResult Identify() => _gallery.Identify(_probe, 5);

    /// <summary>Frees the gallery and the matrix.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _gallery.Dispose();
        _matrix.Dispose();
    }
}
