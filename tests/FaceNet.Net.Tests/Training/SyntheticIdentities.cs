using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

/// <summary>
/// Generated "identities" for training tests. An identity is a grating with its own orientation and frequency (its
/// "face"); each image of it has a random phase (position), a strong random colour cast and brightness ramp, and pixel
/// noise. An untrained network is dominated by the colour nuisance; training must learn to encode orientation and
/// frequency, which also separates identities it never saw. Values are in the preprocessed range, (x − 127.5) / 128.
/// Gratings are not mirror-symmetric: train them without horizontal flips.
/// </summary>
internal static class SyntheticIdentities
{
    /// <summary>One K x 3 x S x S stack per identity, reproducible from <paramref name="seed"/>.</summary>
    public static List<Tensor> Generate(int identities, int imagesPerIdentity, int size, int seed)
    {
        var rng = new Random(seed);
        using var generator = new Generator((ulong)seed, CPU);
        using var coords = linspace(-0.5, 0.5, size);
        using var ys = coords.view(1, 1, size, 1);
        using var xs = coords.view(1, 1, 1, size);
        var stacks = new List<Tensor>();
        for (int i = 0; i < identities; i++)
        {
            using var scope = NewDisposeScope();
            double theta = Math.PI * rng.NextDouble(), frequency = 2 + 4 * rng.NextDouble();
            int k = imagesPerIdentity;
            var phase = rand(new long[] { k, 1, 1, 1 }, generator: generator) * (2 * Math.PI);
            var grating = (xs * Math.Cos(theta) + ys * Math.Sin(theta)).mul(2 * Math.PI * frequency).add(phase).sin() * 0.35;
            var cast = (rand(new long[] { k, 3, 1, 1 }, generator: generator) * 2 - 1) * 0.6;
            var ramp = (rand(new long[] { k, 1, 1, 1 }, generator: generator) * 2 - 1) * 0.5 * (xs * 2);
            var noise = randn(new long[] { k, 3, size, size }, generator: generator) * 0.1;
            var images = (grating + cast + ramp + noise).clamp(-1, 1);
            stacks.Add(images.MoveToOuterDisposeScope());
        }
        return stacks;
    }
}
