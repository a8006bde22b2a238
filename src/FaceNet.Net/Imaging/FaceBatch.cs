using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Builds a network's input for a batch of face crops straight from ImageSharp's pixel memory: the Rgb24 bytes
/// of each (resized) image are block-copied into one N x S x S x 3 byte buffer, which becomes a uint8 tensor
/// that is converted and normalised with tensor ops, with no per-pixel managed work. The result is the
/// N x 3 x S x S view of that NHWC memory (channels-last strides). S is 160 for FaceNet; training networks take
/// other sides. This is the one preprocessing pipeline: the encoder, training datasets and checkpoint embedders all
/// use it. Values equal the formulas of <see cref="PreprocessingMode"/> computed per pixel to within about 1e-6
/// (FaceBatchTests). Thread-safe: the caller's images are never modified.
/// </summary>
internal static class FaceBatch
{
    /// <summary>
    /// The images (each resized with the bicubic resampler to <paramref name="size"/> x <paramref name="size"/> when
    /// needed, stretched, not cropped) as a float32 CPU tensor [N, 3, S, S], preprocessed with <paramref name="mode"/>,
    /// laid out channels-last in memory. Like any new tensor it belongs to the caller's dispose scope when there is
    /// one; otherwise the caller disposes it.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode, or <paramref name="size"/> is not positive.</exception>
    public static Tensor ToTensor(IReadOnlyList<Image<Rgb24>> images, PreprocessingMode mode, int size = FaceInput.Size)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("The batch holds no image.", nameof(images));
        if (mode is not (PreprocessingMode.Unit or PreprocessingMode.Fixed or PreprocessingMode.Prewhiten))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown preprocessing mode.");
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int n = images.Count, perImage = size * size * 3;
        var bytes = new byte[(long)n * perImage];
        for (int i = 0; i < n; i++)
        {
            var image = images[i] ?? throw new ArgumentException($"Image {i} of the batch is null.", nameof(images));
            CopyResized(image, size, bytes, (long)i * perImage);
        }

        FaceNetRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var nhwc = Normalize(tensor(bytes, [n, size, size, 3]), mode);
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
    /// 3 x S x S values of each image. Sums of the 0..255 values and their squares are exact: float32 sums over
    /// groups of 256 values stay below 2^24, and the group sums are added in float64 (a count that 256 does not
    /// divide is summed in float64 directly). The final (x − mean) * scale is float32, the same arithmetic as the
    /// per-pixel formula.
    /// </summary>
    private static Tensor Prewhiten(Tensor x)
    {
        const int group = 256;
        long n = x.shape[0], perImage = x.shape[1] * x.shape[2] * x.shape[3];
        Tensor sum, squares;
        if (perImage % group == 0)
        {
            var values = x.view(n, perImage / group, group);
            sum = values.sum(-1).to_type(ScalarType.Float64).sum(-1);
            squares = values.mul(values).sum(-1).to_type(ScalarType.Float64).sum(-1);
        }
        else
        {
            var values = x.view(n, perImage).to_type(ScalarType.Float64);
            sum = values.sum(-1);
            squares = values.mul(values).sum(-1);
        }
        double count = perImage;
        var mean = sum / count;
        // count^2 * variance = count * Σx² − (Σx)², exact in float64 (both terms are integers below 2^53).
        var std = (squares * count - sum * sum).clamp_min(0).sqrt_().div_(count);
        var scale = std.clamp_min(1.0 / Math.Sqrt(count)).reciprocal();
        return x.sub_(mean.to_type(ScalarType.Float32).view(n, 1, 1, 1)).mul_(scale.to_type(ScalarType.Float32).view(n, 1, 1, 1));
    }

    /// <summary>Copies the Rgb24 bytes of <paramref name="image"/>, resized to <paramref name="size"/> x <paramref name="size"/> first when needed, into <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    private static void CopyResized(Image<Rgb24> image, int size, byte[] buffer, long offset)
    {
        if (image.Width == size && image.Height == size)
        {
            CopyBytes(image, buffer, offset);
            return;
        }
        using var resized = image.Clone(x => x.Resize(new ResizeOptions
        {
            Size = new SixLabors.ImageSharp.Size(size, size),
            Mode = ResizeMode.Stretch,
            Sampler = KnownResamplers.Bicubic,
        }));
        CopyBytes(resized, buffer, offset);
    }

    /// <summary>One block copy when the image is a single buffer, else one block copy per row.</summary>
    private static void CopyBytes(Image<Rgb24> image, byte[] buffer, long offset)
    {
        int rowBytes = image.Width * 3, imageBytes = rowBytes * image.Height;
        if (image.DangerousTryGetSinglePixelMemory(out var memory))
        {
            MemoryMarshal.AsBytes(memory.Span).CopyTo(buffer.AsSpan().Slice(checked((int)offset), imageBytes));
            return;
        }
        image.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < accessor.Height; y++)
                MemoryMarshal.AsBytes(accessor.GetRowSpan(y)).CopyTo(buffer.AsSpan().Slice(checked((int)offset + y * rowBytes), rowBytes));
        });
    }
}
