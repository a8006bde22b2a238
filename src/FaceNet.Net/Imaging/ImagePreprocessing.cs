using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Minimal image → network input: decode with ImageSharp to RGB24, resize to 160 x 160 with the bicubic
/// resampler when the size differs, preprocess, lay out as a 1 x 3 x 160 x 160 float32 tensor.
/// Stateless and thread-safe.
/// </summary>
public static class ImagePreprocessing
{
    /// <summary>Largest image accepted, in pixels (decoded size is bounded before decoding).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Parses <c>fixed</c>, <c>unit</c> or <c>prewhiten</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static PreprocessingMode ParseMode(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fixed" => PreprocessingMode.Fixed,
        "unit" => PreprocessingMode.Unit,
        "prewhiten" => PreprocessingMode.Prewhiten,
        _ => throw new ArgumentException($"unknown preprocessing '{name}': use fixed, unit or prewhiten", nameof(name)),
    };

    /// <summary>The lower-case name of a mode (<c>fixed</c>, <c>unit</c>, <c>prewhiten</c>).</summary>
    public static string Name(PreprocessingMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Decodes an image file to 160 x 160 RGB bytes, row-major HWC.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FaceNetException">Not a decodable image, or larger than <see cref="MaxPixels"/>.</exception>
    public static byte[] LoadRgb(string path, int size = 160)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image '{path}' not found", path);
        try
        {
            var info = Image.Identify(path) ?? throw new FaceNetException($"'{path}' is not an image format ImageSharp can decode");
            if ((long)info.Width * info.Height > MaxPixels)
                throw new FaceNetException($"'{path}' is {info.Width} x {info.Height} pixels, more than the {MaxPixels} allowed");
            using var image = Image.Load<Rgb24>(path);
            if (image.Width != size || image.Height != size)
                image.Mutate(x => x.Resize(size, size, KnownResamplers.Bicubic));
            var rgb = new byte[size * size * 3];
            image.CopyPixelDataTo(rgb);
            return rgb;
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new FaceNetException($"'{path}' could not be decoded as an image: {e.Message}", e);
        }
    }

    /// <summary>Applies <paramref name="mode"/> to RGB bytes (HWC), giving float values in the same order.</summary>
    public static float[] Preprocess(ReadOnlySpan<byte> rgb, PreprocessingMode mode)
    {
        var result = new float[rgb.Length];
        switch (mode)
        {
            case PreprocessingMode.Fixed:
                for (int i = 0; i < rgb.Length; i++) result[i] = (rgb[i] - 127.5f) / 128f;
                break;
            case PreprocessingMode.Unit:
                for (int i = 0; i < rgb.Length; i++) result[i] = rgb[i] / 255f;
                break;
            case PreprocessingMode.Prewhiten:
            {
                double sum = 0, sumSquares = 0;
                foreach (var b in rgb) { sum += b; sumSquares += (double)b * b; }
                int n = rgb.Length;
                double mean = sum / n;
                double std = Math.Sqrt(Math.Max(0, sumSquares / n - mean * mean));
                double adjusted = Math.Max(std, 1.0 / Math.Sqrt(n));
                for (int i = 0; i < n; i++) result[i] = (float)((rgb[i] - mean) / adjusted);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown preprocessing mode");
        }
        return result;
    }

    /// <summary>Turns HWC float values of a <paramref name="height"/> x <paramref name="width"/> x 3 image into a 1 x 3 x H x W tensor.</summary>
    /// <exception cref="ArgumentException">The length is not H·W·3.</exception>
    public static Tensor ToNchw(float[] hwc, int height = 160, int width = 160)
    {
        if (hwc.Length != height * width * 3)
            throw new ArgumentException($"expected {height} x {width} x 3 = {height * width * 3} values, got {hwc.Length}", nameof(hwc));
        FaceNetRuntime.EnsureInitialized();
        using var nhwc = tensor(hwc, [1, height, width, 3]);
        return nhwc.permute(0, 3, 1, 2).contiguous();
    }

    /// <summary>Decodes, resizes and preprocesses an image file into a 1 x 3 x 160 x 160 tensor.</summary>
    public static Tensor LoadTensor(string path, PreprocessingMode mode) => ToNchw(Preprocess(LoadRgb(path), mode));
}
