using BenchmarkDotNet.Attributes;
using FaceNet.Net.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// MTCNN detection on one ~1-megapixel portrait (kate_siegel.jpg from the shared fixtures, resized to 836x1200),
/// with float64 (default, reference-exact) and float32 networks. Needs <c>FACENET_SHARED</c> or <c>../shared</c>:
/// <c>dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- --filter '*Detection*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class DetectionBenchmarks
{
    private MtcnnFaceDetector _detector = null!;
    private Image<Rgb24> _photo = null!;

    /// <summary>Networks in float64 (true, the default) or float32.</summary>
    [Params(true, false)]
    public bool DoublePrecision { get; set; }

    /// <summary>Loads the weights and the photo once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var shared = Environment.GetEnvironmentVariable("FACENET_SHARED");
        if (string.IsNullOrEmpty(shared))
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null && shared is null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "FaceNet.Net.sln"))) shared = Path.Combine(dir.Parent!.FullName, "shared");
        }
        if (shared is null || !Directory.Exists(shared))
            throw new InvalidOperationException("The shared fixtures were not found: set FACENET_SHARED.");
        _detector = MtcnnFaceDetector.FromFolder(Path.Combine(shared, "fixtures", "mtcnn"), new FaceDetectorOptions { DoublePrecision = DoublePrecision });
        _photo = Image.Load<Rgb24>(Path.Combine(shared, "fixtures", "faces", "photos", "kate_siegel.jpg"));
        _photo.Mutate(c => c.Resize(836, 1200));
    }

    /// <summary>Detects the faces (one) in the ~1 MP photo: pyramid, three networks, NMS.</summary>
    [Benchmark]
    public int Detect1Megapixel() => _detector.Detect(_photo).Count;

    /// <summary>Frees the detector and the photo.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _photo.Dispose();
    }
}
