using System.CommandLine;
using System.Diagnostics;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet benchmark</c>: a quick encoder throughput readout on random preprocessed input (images/s and ms per
/// batch, median over timed batches after a warm-up). The BenchmarkDotNet suite (<c>benchmarks/</c>) is the
/// reference measurement; this agrees with its <c>EncoderThroughputBenchmarks</c> within noise.
/// </summary>
internal static class BenchmarkCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "Weights: a file (Keras .h5, PyTorch .pt, .safetensors) or a catalogue name fetched on first use (see 'facenet weights list')", Required = true };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass", DefaultValueFactory = _ => 32 };
        var device = new Option<string>("--device") { Description = "cpu or cuda (cuda:N for another GPU)", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision") { Description = "float32, float16, bfloat16, int8 or auto (float16 is for CUDA; bfloat16 also on CPUs with AVX-512 BF16; int8: the CPU only; auto: bfloat16 on a CPU with BF16, float32 elsewhere)", DefaultValueFactory = _ => "float32" };
        precision.AcceptOnlyFromAmong("float32", "float16", "bfloat16", "int8", "auto");
        var seconds = new Option<double>("--seconds") { Description = "Seconds of timed batches after the warm-up", DefaultValueFactory = _ => 10 };
        var threads = new Option<int?>("--threads") { Description = "torch intra-op threads (default: libtorch's choice)" };
        var unfolded = new Option<bool>("--unfolded") { Description = "Run without BatchNorm folding (float32 only; for comparison)" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("benchmark", "Measure encoder throughput (images/s, ms per batch) on random input after a warm-up")
        {
            weights, batch, device, precision, seconds, threads, unfolded, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            int n = parse.GetValue(batch);
            double duration = parse.GetValue(seconds);
            int? threadCount = parse.GetValue(threads);
            if (n < 1 || n > 4096) throw new UsageException($"--batch must be between 1 and 4096, got {n}");
            if (!(duration > 0 && duration <= 3600)) throw new UsageException($"--seconds must be more than 0 and at most 3600, got {duration}");
            if (threadCount is < 1) throw new UsageException($"--threads must be at least 1, got {threadCount}");
            var deviceName = parse.GetValue(device)!;
            var dtype = parse.GetValue(precision) switch
            {
                "float16" => Precision.Float16,
                "bfloat16" => Precision.BFloat16,
                "auto" => Precision.Auto,
                "int8" => Precision.Int8,
                _ => Precision.Float32,
            };
            var weightsPath = WeightsSource.ResolveWeights(parse, parse.GetValue(weights)!).Path;
            bool fold = !parse.GetValue(unfolded);
            if (!fold && dtype != Precision.Float32) throw new UsageException("--unfolded runs in float32 only");
            var options = new InferenceOptions { Device = deviceName, Precision = dtype, Backend = fold ? InferenceBackend.Auto : InferenceBackend.Unfolded };
            if (threadCount is int t) torch.set_num_threads(t);
            BenchmarkResult result;
            try
            {
                result = Measure(weightsPath, n, options, duration);
            }
            catch (FaceNet.Net.Devices.DeviceNotAvailableException e)
            {
                throw new UsageException(e.Message);
            }
            if (parse.GetValue(json)) CliHost.WriteJson(result);
            else
            {
                Console.WriteLine($"device            {result.Device} ({result.Precision}, {result.Threads} threads)");
                Console.WriteLine($"batch             {result.Batch}");
                Console.WriteLine($"images/s          {result.ImagesPerSecond:F1}");
                Console.WriteLine($"ms per batch      {result.MillisecondsPerBatch:F2} (median of {result.TimedBatches}; min {result.MinMillisecondsPerBatch:F2})");
                Console.WriteLine($"backend           {result.Backend} (fused oneDNN convolutions {Flag(result.FusedConvolution)}; body as one TorchScript call {Flag(result.CompiledBody)})");
            }
            return CliHost.Success;
        });
        return command;
    }

    private static BenchmarkResult Measure(string weightsPath, int n, InferenceOptions options, double seconds)
    {
        using var model = FaceNetModel.Load(weightsPath, options);
        manual_seed(0);
        using var input = randn(n, 3, FaceNetModel.InputSize, FaceNetModel.InputSize);
        // Warm-up: the backend prepared for this batch size, allocator, oneDNN primitive caches and (on CUDA) kernel
        // selection; at least 3 passes or 1 s.
        model.WarmUp(n);
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < Math.Min(1.0, seconds / 4); i++)
            model.Forward(input).Dispose();

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || total.Elapsed.TotalSeconds < seconds)
        {
            var once = Stopwatch.StartNew();
            model.Forward(input).Dispose(); // Forward returns a CPU tensor, so the time includes any device sync
            times.Add(once.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        var backend = model.Backend;
        return new BenchmarkResult(model.Device, model.Precision.ToString().ToLowerInvariant(), options.Backend != InferenceBackend.Unfolded,
            torch.get_num_threads(), n, 1000.0 * n / median, median, times[0], times.Count, Math.Round(total.Elapsed.TotalSeconds, 3),
            backend, backend.StartsWith("onednn", StringComparison.Ordinal), backend is "onednn-compiled" or "onednn-int8");
    }

    private static string Flag(bool value) => value ? "yes" : "no";

    private sealed record BenchmarkResult(
        string Device, string Precision, bool Folded, int Threads, int Batch,
        double ImagesPerSecond, double MillisecondsPerBatch, double MinMillisecondsPerBatch, int TimedBatches, double Seconds,
        string Backend, bool FusedConvolution, bool CompiledBody);
}
