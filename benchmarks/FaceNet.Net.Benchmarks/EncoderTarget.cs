using static TorchSharp.torch;

namespace FaceNet.Net.Benchmarks;

/// <summary>One device and precision the encoder benchmarks run on, e.g. <c>cpu-float32</c> or <c>cuda-bfloat16</c>.</summary>
/// <param name="Device">The TorchSharp device name (<c>cpu</c> or <c>cuda</c>).</param>
/// <param name="Precision">The compute type.</param>
/// <param name="Folded">Whether BatchNorm is folded into the convolutions (the library's default; false only for the comparison row).</param>
public sealed record EncoderTarget(string Device, ScalarType Precision, bool Folded = true)
{
    /// <summary>The targets this machine can run: CPU float32 (folded; unfolded too outside <c>--short</c>), and CUDA float32, float16 and bfloat16 when a GPU is usable.</summary>
    public static IEnumerable<EncoderTarget> Available()
    {
        yield return new EncoderTarget("cpu", ScalarType.Float32);
        if (!BenchmarkAssets.ShortRun) yield return new EncoderTarget("cpu", ScalarType.Float32, Folded: false);
        FaceNetRuntime.EnsureInitialized();
        if (TorchSharp.torch.cuda.is_available())
        {
            yield return new EncoderTarget("cuda", ScalarType.Float32);
            yield return new EncoderTarget("cuda", ScalarType.Float16);
            yield return new EncoderTarget("cuda", ScalarType.BFloat16);
        }
        else
        {
            Console.WriteLine("// CUDA is not available (no TorchSharp CUDA backend or no GPU): the CUDA float32/float16/bfloat16 rows are skipped");
        }
    }

    /// <summary>The name shown in the reports.</summary>
    public override string ToString() => $"{Device}-{Precision.ToString().ToLowerInvariant()}{(Folded ? "" : "-unfolded")}";
}
