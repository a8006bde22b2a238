using System.Diagnostics;
using FaceNet.Net.Recognition;
using TorchSharp;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// <c>--gallery-side-by-side</c>: the gallery goal (a top-5 probe over 1M embeddings within 1.5x one read of the
/// matrix) measured with the read and the probe alternating in one process, round by round, so that the machine's
/// drifting memory bandwidth affects both alike. Each round takes the median of <c>samples</c> reads of a 1M x 128
/// float32 tensor (libtorch's multi-threaded sum, as in <see cref="MemoryBandwidthBenchmarks"/>) and the median of
/// <c>samples</c> probes (<see cref="InMemoryFaceGallery.Identify"/>, top 5), and prints both and their ratio.
/// BenchmarkDotNet runs one method's iterations after the other's, seconds to minutes apart, which on a shared VM
/// measures the drift as much as the code.
/// </summary>
public static class GallerySideBySide
{
    /// <summary>Runs the comparison and writes a header and one table row per round to <paramref name="output"/>.</summary>
    public static void Run(TextWriter output, int rows = 1_000_000, int rounds = 4, int samples = 15)
    {
        const int dimension = 128;
        FaceNetRuntime.EnsureInitialized();
        using var gallery = BenchmarkAssets.RandomGallery(rows, out var probe);
        using var matrix = torch.rand(rows, dimension);

        output.WriteLine($"{rows:N0} x {dimension} float32 ({rows * (long)dimension * 4 / 1_000_000} MB), medians of {samples}, UTC {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}");
        output.WriteLine("| round | one read of the matrix | top-5 probe | probe / read |");
        output.WriteLine("| --- | ---: | ---: | ---: |");
        for (int round = 1; round <= rounds; round++)
        {
            double read = Median(samples, () =>
            {
                using var sum = matrix.sum();
                sum.item<float>();
            });
            double search = Median(samples, () => gallery.Identify(probe, 5));
            output.WriteLine($"| {round} | {read:F2} ms | {search:F2} ms | {search / read:F2} |");
        }
    }

    private static double Median(int samples, Action action)
    {
        for (int i = 0; i < 3; i++) action();
        var times = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[samples / 2];
    }
}
