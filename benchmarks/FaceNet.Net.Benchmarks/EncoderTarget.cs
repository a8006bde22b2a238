namespace FaceNet.Net.Benchmarks;

/// <summary>One device and precision the encoder benchmarks run on, e.g. <c>cpu-float32</c> or <c>cuda-bfloat16</c>.</summary>
/// <param name="Device">The device name (<c>cpu</c> or <c>cuda</c>).</param>
/// <param name="Precision">The compute type.</param>
/// <param name="Folded">Whether BatchNorm is folded into the convolutions (the library's default; false only for the comparison row).</param>
public sealed record EncoderTarget(string Device, Precision Precision, bool Folded = true)
{
    /// <summary>
    /// The targets this run covers (<see cref="BenchmarkAssets.DeviceTypes"/>): CPU float32 (folded; unfolded too outside
    /// <c>--short</c>), bfloat16 (an opt-in precision, fast on CPUs with the AVX-512 BF16 instructions) and int8 (opt-in,
    /// the body's convolutions in 8-bit integers), and CUDA float32, float16 and bfloat16 when a GPU is usable.
    /// </summary>
    public static IEnumerable<EncoderTarget> Available()
    {
        foreach (var device in BenchmarkAssets.DeviceTypes())
        {
            yield return new EncoderTarget(device, Precision.Float32);
            if (device == "cpu" && !BenchmarkAssets.ShortRun) yield return new EncoderTarget("cpu", Precision.Float32, Folded: false);
            if (device == "cpu") yield return new EncoderTarget("cpu", Precision.BFloat16);
            if (device == "cpu") yield return new EncoderTarget("cpu", Precision.Int8);
            if (device != "cuda") continue;
            yield return new EncoderTarget(device, Precision.Float16);
            yield return new EncoderTarget(device, Precision.BFloat16);
        }
    }

    /// <summary>The name shown in the reports.</summary>
    public override string ToString() => $"{Device}-{Precision.ToString().ToLowerInvariant()}{(Folded ? "" : "-unfolded")}";
}
