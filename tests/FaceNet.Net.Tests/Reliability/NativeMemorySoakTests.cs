using FaceNet.Net.Embeddings;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Reliability;

/// <summary>
/// Loading, encoding and disposing encoders many times returns native memory: the resident set size after the warm-up
/// cycles stays flat. The first cycles grow the heap (libtorch's allocator, oneDNN's kernel caches, the JIT), and
/// the library keeps freed heap mapped (M_TRIM_THRESHOLD 512 MiB), so the bound is on growth, not on the absolute
/// size. Runs in the test host (the RSS of this process, /proc/self/status), alone in its category.
/// </summary>
[Category(TestCategories.Soak)]
[NonParallelizable]
public class NativeMemorySoakTests
{
    private const int WarmUp = 10;  // the least number of cycles worth measuring is twice this

    /// <summary>Cycles to run: 100, or the run setting <c>SoakCycles</c> (<c>-- TestRunParameters.Parameter(name="SoakCycles", value="1000")</c>).</summary>
    private static int Cycles => Math.Max(WarmUp + 10, int.Parse(TestContext.Parameters.Get("SoakCycles", "100"), System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public void R13_a_hundred_load_encode_dispose_cycles_keep_the_resident_set_flat()
    {
        using var folder = new TempFolder();
        var weights = folder.File("synthetic.safetensors");
        FaceNetWeights.WriteSynthetic(weights, embeddingSize: 128, seed: 11);
        using var image = new Image<Rgb24>(160, 160);
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
                image[x, y] = new Rgb24((byte)(x + y), (byte)(2 * x), (byte)(3 * y));

        int cycles = Cycles;
        var rss = new long[cycles];
        float[]? first = null;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            using (var encoder = FaceEncoder.FromWeights(weights))
            {
                var embedding = encoder.Encode(image).Vector.ToArray();
                first ??= embedding;
                Assert.That(embedding, Is.EqualTo(first), $"cycle {cycle}: same weights, same image, same embedding");
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            rss[cycle] = ResidentKilobytes();
            if (cycle % 10 == 0 || cycle == cycles - 1)
                TestContext.Progress.WriteLine($"cycle {cycle + 1}: RSS {rss[cycle] / 1024.0:F1} MB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F1} MB");
        }

        int half = cycles / 2;
        double total = (rss[cycles - 1] - rss[0]) / 1024.0, late = (rss[cycles - 1] - rss[half - 1]) / 1024.0;
        TestContext.Progress.WriteLine($"RSS after cycle 1: {rss[0] / 1024.0:F1} MB, after cycle {half}: {rss[half - 1] / 1024.0:F1} MB, "
            + $"after cycle {cycles}: {rss[cycles - 1] / 1024.0:F1} MB; growth over the last {cycles - half} cycles {late:F1} MB");
        // A leak of the size issue 19 found (5.9 MB per cycle) grows 590 MB in 100 cycles. What remains is the heap
        // settling in steps (freed blocks kept mapped, M_TRIM_THRESHOLD 512 MiB) that flatten out: bounded overall
        // and small over the second half.
        Assert.Multiple(() =>
        {
            Assert.That(total, Is.LessThan(64), $"RSS grew {total:F1} MB from cycle 1 to cycle {cycles}");
            Assert.That(late, Is.LessThan(16), $"RSS grew {late:F1} MB over the last {cycles - half} cycles: not flattening out");
        });
    }

    /// <summary>VmRSS of this process, in kB (Linux); the test is ignored elsewhere.</summary>
    private static long ResidentKilobytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) Assert.Ignore("needs /proc/self/status (Linux)");
        var line = File.ReadLines(status).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
