using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to a batch of preprocessed images (N x 3 x S x S, values (x − 127.5) / 128),
/// with whole-tensor operations on the batch's device. The random draws (a few numbers per image) come from the
/// <see cref="Random"/> passed in, so a seed fixes the result. Stateless, thread-safe.
/// </summary>
public sealed class TensorAugmenter
{
    /// <summary>Creates the augmenter.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The options are out of range.</exception>
    public TensorAugmenter(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>Returns an augmented copy of <paramref name="batch"/>: flip, then padded random crop, then brightness,
    /// contrast and saturation jitter, clamped to the valid pixel range.</summary>
    /// <param name="batch">N x 3 x S x S preprocessed images.</param>
    /// <param name="random">The source of the random draws.</param>
    public Tensor Apply(Tensor batch, Random random)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(random);
        if (batch.dim() != 4 || batch.shape[1] != 3)
            throw new ArgumentException($"Expected N x 3 x H x W images, got [{string.Join(", ", batch.shape)}].", nameof(batch));
        using var scope = NewDisposeScope();
        int n = (int)batch.shape[0];
        long h = batch.shape[2], w = batch.shape[3];
        var x = batch;

        if (Options.FlipProbability > 0)
        {
            var flips = Enumerable.Range(0, n).Select(_ => random.NextDouble() < Options.FlipProbability).ToArray();
            var mask = tensor(flips, device: x.device).view(n, 1, 1, 1);
            x = where(mask, x.flip(3), x);
        }

        if (Options.CropPadding > 0)
        {
            int pad = Options.CropPadding;
            var padded = nn.functional.pad(x, new long[] { pad, pad, pad, pad });
            var crops = new Tensor[n];
            for (int i = 0; i < n; i++)
            {
                int dy = random.Next(2 * pad + 1), dx = random.Next(2 * pad + 1);
                crops[i] = padded[i].narrow(1, dy, h).narrow(2, dx, w);
            }
            x = stack(crops);
        }

        if (Options.Brightness > 0 || Options.Contrast > 0 || Options.Saturation > 0)
        {
            var u = (x * 128.0 + 127.5) / 255.0;                       // back to [0, 1]
            var brightness = Factors(n, Options.Brightness, random, x.device);
            var contrast = Factors(n, Options.Contrast, random, x.device);
            var saturation = Factors(n, Options.Saturation, random, x.device);
            u = u * brightness;
            var mean = Gray(u).mean(new long[] { 1, 2, 3 }, keepdim: true);
            u = (u - mean) * contrast + mean;
            var gray = Gray(u);
            u = ((u - gray) * saturation + gray).clamp(0.0, 1.0);
            x = (u * 255.0 - 127.5) / 128.0;
        }
        return x.to(batch.dtype).contiguous().MoveToOuterDisposeScope();
    }

    private static Tensor Factors(int n, double strength, Random random, Device device)
    {
        var f = Enumerable.Range(0, n).Select(_ => (float)(1 + strength * (2 * random.NextDouble() - 1))).ToArray();
        return tensor(f, device: device).view(n, 1, 1, 1);
    }

    private static Tensor Gray(Tensor u) =>
        u[TensorIndex.Colon, TensorIndex.Slice(0, 1)] * 0.299 + u[TensorIndex.Colon, TensorIndex.Slice(1, 2)] * 0.587 + u[TensorIndex.Colon, TensorIndex.Slice(2, 3)] * 0.114;
}
