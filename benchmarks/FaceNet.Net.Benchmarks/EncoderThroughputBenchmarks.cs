using BenchmarkDotNet.Attributes;
using FaceNet.Net.Model;
using static TorchSharp.torch;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Network throughput: one forward pass over a batch of random preprocessed 160x160 inputs with the reference
/// 128-d weights (synthetic weights when the fixtures are absent), on every available <see cref="EncoderTarget"/>.
/// Images/s = Batch / Mean. Batches 1, 8, 32, 64 (1 and 32 with <c>--short</c>; any with <c>--batches</c>). 2.84 GFLOP per image.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]     // more than the short job's 1 warm-up and 3 iterations: these are the figures compared with
[IterationCount(10)] // `facenet benchmark` and ONNX Runtime, so they need a median that noise does not move much
// No forced GC before each iteration: BenchmarkDotNet also raises the host's main thread to high priority, and
// with both the forward passes ran 1.2-1.3x slower than the same loop without the GC (scratch replica of the
// in-process executor, 04:21 UTC 28 Nov; docs/performance.md). A pass allocates about 200 KB of managed memory.
[GcForce(false)]
public class EncoderThroughputBenchmarks
{
    private FaceNetModel _model = null!;
    private Tensor _input = null!;

    /// <summary>Images per forward pass.</summary>
    [ParamsSource(nameof(Batches))]
    public int Batch { get; set; }

    /// <summary>Device, precision and folding.</summary>
    [ParamsSource(nameof(Targets))]
    public EncoderTarget Target { get; set; } = null!;

    /// <summary>The batch sizes of this run (<c>--batches</c> overrides them).</summary>
    public static IEnumerable<int> Batches => BenchmarkAssets.RequestedBatches ?? (BenchmarkAssets.ShortRun ? [1, 32] : [1, 8, 32, 64]);

    /// <summary>The targets this machine can run.</summary>
    public static IEnumerable<EncoderTarget> Targets => EncoderTarget.Available();

    /// <summary>Loads the weights onto the target and makes the input; one untimed pass warms the caches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        var weights = BenchmarkAssets.EncoderWeights(out _);
        _model = FaceNetModel.Load(weights, new InferenceOptions
        {
            Device = Target.Device,
            Precision = Target.Precision,
            Backend = Target.Folded ? InferenceBackend.Auto : InferenceBackend.Unfolded,
        });
        manual_seed(0);
        _input = randn(Batch, 3, FaceNetModel.InputSize, FaceNetModel.InputSize);
        _model.WarmUp(Batch);
    }

    /// <summary>One forward pass (input copied to the device, output back to the CPU as float32).</summary>
    [Benchmark]
    public long Forward()
    {
        using var output = _model.Forward(_input);
        return output.shape[0];
    }

    /// <summary>Frees the model and the input.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _input.Dispose();
    }
}
