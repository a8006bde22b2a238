using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Recognition;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Where the suite finds its inputs: the shared fixtures (<c>FACENET_SHARED</c>, else <c>shared/</c> beside the
/// repository), the reference weights in them, or, when they are absent, synthetic random weights written once per
/// process so the encoder benchmarks always run. Thread-safe (the synthetic file is created under a lock).
/// </summary>
internal static class BenchmarkAssets
{
    private static readonly object Gate = new();
    private static string? _synthetic;

    /// <summary>True when the suite runs in <c>--short</c> mode (the Program sets <c>FACENET_BENCH_SHORT=1</c>, inherited by the benchmark processes).</summary>
    public static bool ShortRun => Environment.GetEnvironmentVariable("FACENET_BENCH_SHORT") == "1";

    /// <summary>The encoder batch sizes asked for with <c>--batches</c> (<c>FACENET_BENCH_BATCHES</c>, comma-separated), or null for the defaults.</summary>
    public static IReadOnlyList<int>? RequestedBatches =>
        Environment.GetEnvironmentVariable("FACENET_BENCH_BATCHES") is { Length: > 0 } list ? list.Split(',').Select(int.Parse).ToList() : null;

    /// <summary>
    /// Whether this run includes device type <paramref name="device"/> (<c>cpu</c> or <c>cuda</c>): those named with
    /// <c>--devices</c> (<c>FACENET_BENCH_DEVICES</c>), else all. CUDA rows also need a usable GPU.
    /// </summary>
    public static bool IncludesDevice(string device) =>
        Environment.GetEnvironmentVariable("FACENET_BENCH_DEVICES") is not { Length: > 0 } list || list.Split(',').Contains(device);

    /// <summary>The device types the device-dependent benchmarks run on: <c>cpu</c> and, with a usable GPU, <c>cuda</c> (filtered by <see cref="IncludesDevice"/>).</summary>
    public static IEnumerable<string> DeviceTypes()
    {
        if (IncludesDevice("cpu")) yield return "cpu";
        if (!IncludesDevice("cuda")) yield break;
        FaceNetRuntime.EnsureInitialized();
        if (TorchSharp.torch.cuda.is_available()) yield return "cuda";
        else Console.WriteLine("// CUDA is not available (no TorchSharp CUDA backend or no GPU): the CUDA rows are skipped");
    }

    /// <summary>The shared fixtures folder, or null when it cannot be found.</summary>
    public static string? SharedFolder()
    {
        var env = Environment.GetEnvironmentVariable("FACENET_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FaceNet.Net.sln")))
            {
                var shared = Path.Combine(dir.Parent!.FullName, "shared");
                return Directory.Exists(shared) ? shared : null;
            }
        return null;
    }

    /// <summary>The reference 128-d weights when present, else a synthetic random-weights safetensors file; <paramref name="isReference"/> says which.</summary>
    public static string EncoderWeights(out bool isReference)
    {
        var shared = SharedFolder();
        var reference = shared is null ? null : Path.Combine(shared, "fixtures", "reference-128", "weights.h5");
        if (reference is not null && File.Exists(reference))
        {
            isReference = true;
            return reference;
        }
        isReference = false;
        lock (Gate)
        {
            if (_synthetic is not null) return _synthetic;
            Console.WriteLine("// reference weights not found (set FACENET_SHARED): timing synthetic random weights of the same network");
            var path = Path.Combine(Path.GetTempPath(), $"facenet-bench-synthetic-{Environment.ProcessId}.safetensors");
            WriteSyntheticWeights(path);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
            return _synthetic = path;
        }
    }

    /// <summary>Aligned 160x160 face crops from the fixtures (empty when the fixtures are absent).</summary>
    public static IReadOnlyList<string> AlignedFaces()
    {
        var shared = SharedFolder();
        var folder = shared is null ? null : Path.Combine(shared, "fixtures", "faces", "aligned");
        return folder is not null && Directory.Exists(folder) ? Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>
    /// A gallery of <paramref name="rows"/> random 128-d embeddings in [-1, 1) (one identity each, "person-i") and a
    /// random probe, from a fixed seed, so that every gallery benchmark searches the same data.
    /// </summary>
    public static InMemoryFaceGallery RandomGallery(int rows, out FaceEmbedding probe)
    {
        const int dimension = 128;
        var random = new Random(42);
        var values = new float[dimension];
        var gallery = new InMemoryFaceGallery("benchmark", dimension);
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < dimension; k++) values[k] = (float)(random.NextDouble() * 2 - 1);
            gallery.Enroll($"person-{i}", FaceEmbedding.FromValues(values, "benchmark"));
        }
        for (int k = 0; k < dimension; k++) values[k] = (float)(random.NextDouble() * 2 - 1);
        probe = FaceEmbedding.FromValues(values, "benchmark");
        return gallery;
    }

    /// <summary>Writes the synthetic weights (seeded random Inception-ResNet-v1, 128-d, "fixed" preprocessing) to <paramref name="path"/>.</summary>
    internal static void WriteSyntheticWeights(string path) =>
        FaceNetWeights.WriteSynthetic(path, embeddingSize: 128, seed: 1234, PreprocessingMode.Fixed);
}
