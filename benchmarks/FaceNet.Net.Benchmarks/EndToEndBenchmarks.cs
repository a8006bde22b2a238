using BenchmarkDotNet.Attributes;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// One image from encoded bytes to an embedding, with the network on each device of the run (the CPU, and CUDA when
/// usable): decode, resize to 160x160 (the fixture crop is first scaled to 250x250 so the resize runs, as for a
/// typical aligned crop), preprocess, encode, normalise. The input is
/// an aligned face from the fixtures as PNG, and as a JPEG (quality 90) encoded from it at setup; synthetic
/// noise images when the fixtures are absent.
/// </summary>
[MemoryDiagnoser]
public class EndToEndBenchmarks
{
    private FaceEncoder _encoder = null!;
    private byte[] _bytes = null!;

    /// <summary>The encoded format of the input.</summary>
    [Params("jpeg", "png")]
    public string Format { get; set; } = "";

    /// <summary>Where the network runs (<c>cpu</c> or <c>cuda</c>; decoding and preprocessing are on the CPU).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The devices of this run.</summary>
    public static IEnumerable<string> Devices => BenchmarkAssets.DeviceTypes();

    /// <summary>Loads the encoder and encodes the input image once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        FaceNetRuntime.EnsureInitialized();
        _encoder = FaceEncoder.FromWeights(BenchmarkAssets.EncoderWeights(out _), new FaceEncoderOptions { Device = Device });
        using var image = LoadFace();
        image.Mutate(c => c.Resize(250, 250));
        using var stream = new MemoryStream();
        if (Format == "jpeg") image.SaveAsJpeg(stream, new JpegEncoder { Quality = 90 });
        else image.SaveAsPng(stream);
        _bytes = stream.ToArray();
        _encoder.Encode(new MemoryStream(_bytes), "warm-up");
    }

    private static Image<Rgb24> LoadFace()
    {
        var faces = BenchmarkAssets.AlignedFaces();
        if (faces.Count > 0) return Image.Load<Rgb24>(faces[0]);
        var random = new Random(7);
        var pixels = new byte[160 * 160 * 3];
        random.NextBytes(pixels);
        return Image.LoadPixelData<Rgb24>(pixels, 160, 160);
    }

    /// <summary>Decode, resize, preprocess and encode one image.</summary>
    [Benchmark]
    public FaceEmbedding EncodeOneImage()
    {
        using var stream = new MemoryStream(_bytes, writable: false);
        return _encoder.Encode(stream, "benchmark." + Format);
    }

    /// <summary>Frees the encoder.</summary>
    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();
}
