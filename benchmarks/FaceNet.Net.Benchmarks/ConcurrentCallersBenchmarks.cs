using BenchmarkDotNet.Attributes;
using FaceNet.Net.Embeddings;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// 32 callers each encoding one 160x160 face at the same time (a server handling one face per request): through
/// the <see cref="FaceEncoder"/> directly, where the model serialises them as 32 forward passes of one image, and
/// through a <see cref="CoalescingFaceEncoder"/>, which runs the calls that overlap as shared batches. The time is
/// for all 32; images/s = 32 / Mean.
/// </summary>
[MemoryDiagnoser]
public class ConcurrentCallersBenchmarks
{
    private const int Callers = 32;
    private FaceEncoder _encoder = null!;
    private CoalescingFaceEncoder _coalescing = null!;
    private Image<Rgb24>[] _images = null!;

    /// <summary>Loads the encoder and makes 32 noise faces.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _encoder = FaceEncoder.FromWeights(BenchmarkAssets.EncoderWeights(out _));
        _coalescing = new CoalescingFaceEncoder(_encoder);
        var random = new Random(5);
        _images = Enumerable.Range(0, Callers).Select(_ =>
        {
            var pixels = new byte[160 * 160 * 3];
            random.NextBytes(pixels);
            return Image.LoadPixelData<Rgb24>(pixels, 160, 160);
        }).ToArray();
        _encoder.EncodeBatch(_images); // warm-up: oneDNN primitives for both batch sizes
        _encoder.Encode(_images[0]);
    }

    /// <summary>32 concurrent single-image calls to the encoder itself.</summary>
    [Benchmark(Baseline = true)]
    public int EncoderDirectly() => Run(_encoder.Encode);

    /// <summary>The same 32 calls through the coalescing encoder.</summary>
    [Benchmark]
    public int ThroughCoalescingEncoder() => Run(_coalescing.Encode);

    private int Run(Func<Image<Rgb24>, FaceEmbedding> encode)
    {
        var tasks = _images.Select(image => Task.Run(() => encode(image))).ToArray();
        Task.WaitAll(tasks);
        return tasks.Length;
    }

    /// <summary>Frees the encoders and images.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _coalescing.Dispose();
        _encoder.Dispose();
        foreach (var image in _images) image.Dispose();
    }
}
