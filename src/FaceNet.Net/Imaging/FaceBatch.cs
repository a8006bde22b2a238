using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Builds the network's input for a batch of face crops straight from ImageSharp's pixel memory: the Rgb24 bytes
/// of each (resized) image are block-copied into one N x 160 x 160 x 3 byte buffer, which becomes a uint8 tensor
/// that is converted and normalised with tensor ops, with no per-pixel managed work. The result is the
/// N x 3 x 160 x 160 view of that NHWC memory (channels-last strides). Values equal the
/// formulas of <see cref="PreprocessingMode"/> computed per pixel to within about 1e-6 (FaceBatchTests). Thread-safe:
/// the caller's images are never modified.
/// </summary>
internal static class FaceBatch
{
    /// <summary>Bytes per image: 160 x 160 x 3.</summary>
    public const int BytesPerImage = FaceInput.ValuesPerImage;

    /// <summary>
    /// The images (each resized with the bicubic resampler to 160x160 when needed) as a float32 CPU tensor
    /// [N, 3, 160, 160], preprocessed with <paramref name="mode"/>, laid out channels-last in memory. Like any new
    /// tensor it belongs to the caller's dispose scope when there is one; otherwise the caller disposes it.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    public static Tensor ToTensor(IReadOnlyList<Image<Rgb24>> images, PreprocessingMode mode)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("The batch holds no image.", nameof(images));
        if (mode is not (PreprocessingMode.Unit or PreprocessingMode.Fixed or PreprocessingMode.Prewhiten))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown preprocessing mode.");
        int n = images.Count;
        var bytes = new byte[(long)n * BytesPerImage];
        for (int i = 0; i < n; i++)
        {
            var image = images[i] ?? throw new ArgumentException($"Image {i} of the batch is null.", nameof(images));
            CopyResized(image, bytes, i * BytesPerImage);
        }

        FaceNetRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var nhwc = Normalize(tensor(bytes, [n, FaceInput.Size, FaceInput.Size, 3]), mode);
        return nhwc.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    /// <summary>The 0..255 uint8 NHWC batch as float32, scaled by the formula of <paramref name="mode"/> (see <see cref="PreprocessingMode"/>).</summary>
    private static Tensor Normalize(Tensor raw, PreprocessingMode mode)
    {
        var x = raw.to_type(ScalarType.Float32);
        switch (mode)
        {
            case PreprocessingMode.Unit:
                return x.div_(255f);
            case PreprocessingMode.Fixed:
                return x.sub_(127.5f).div_(128f);
            default:
                return Prewhiten(x);
        }
    }

    /// <summary>
    /// (x − mean) * (1 / max(std, 1/sqrt(count))) per image, in place, with the population statistics of all
    /// 3 x 160 x 160 values of each image. Sums of the 0..255 values and their squares are exact: float32 sums over
    /// groups of 256 values stay below 2^24, and the group sums are added in float64. The final (x − mean) * scale
    /// is float32, the same arithmetic as the per-pixel formula.
    /// </summary>
    private static Tensor Prewhiten(Tensor x)
    {
        const int group = 256, groups = BytesPerImage / group;
        long n = x.shape[0];
        var values = x.view(n, groups, group);
        var sum = values.sum(-1).to_type(ScalarType.Float64).sum(-1);
        var squares = values.mul(values).sum(-1).to_type(ScalarType.Float64).sum(-1);
        double count = BytesPerImage;
        var mean = sum / count;
        // count^2 * variance = count * Σx² − (Σx)², exact in float64 (both terms are integers below 2^53).
        var std = (squares * count - sum * sum).clamp_min(0).sqrt_().div_(count);
        var scale = std.clamp_min(1.0 / Math.Sqrt(count)).reciprocal();
        return x.sub_(mean.to_type(ScalarType.Float32).view(n, 1, 1, 1)).mul_(scale.to_type(ScalarType.Float32).view(n, 1, 1, 1));
    }

    /// <summary>Copies the Rgb24 bytes of <paramref name="image"/>, resized to 160x160 first when needed, into <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    private static void CopyResized(Image<Rgb24> image, byte[] buffer, int offset)
    {
        if (image.Width == FaceInput.Size && image.Height == FaceInput.Size)
        {
            CopyBytes(image, buffer, offset);
            return;
        }
        using var resized = image.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new SixLabors.ImageSharp.Size(FaceInput.Size, FaceInput.Size),
            Mode = ResizeMode.Stretch,
            Sampler = KnownResamplers.Bicubic,
        }));
        CopyBytes(resized, buffer, offset);
    }

    /// <summary>One block copy when the image is a single buffer, else one block copy per row.</summary>
    private static void CopyBytes(Image<Rgb24> image, byte[] buffer, int offset)
    {
        if (image.DangerousTryGetSinglePixelMemory(out var memory))
        {
            MemoryMarshal.AsBytes(memory.Span).CopyTo(buffer.AsSpan(offset, BytesPerImage));
            return;
        }
        image.ProcessPixelRows(accessor =>
        {
            const int rowBytes = FaceInput.Size * 3;
            for (int y = 0; y < accessor.Height; y++)
                MemoryMarshal.AsBytes(accessor.GetRowSpan(y)).CopyTo(buffer.AsSpan(offset + y * rowBytes, rowBytes));
        });
    }
}
