using FaceNet.Net.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

public class TensorAugmenterTests
{
    [SetUp]
    public void Init() => FaceNetRuntime.EnsureInitialized();

    [Test]
    public void A_certain_flip_mirrors_every_image()
    {
        using var x = arange(2 * 3 * 4 * 5, dtype: float32).view(2, 3, 4, 5) / 200f;
        var augmenter = new TensorAugmenter(AugmentationOptions.None with { FlipProbability = 1 });
        using var y = augmenter.Apply(x, new Random(1));
        using var expected = x.flip(3);
        Assert.That(y.allclose(expected), Is.True);
    }

    [Test]
    public void A_padded_crop_is_a_shifted_copy_with_mid_grey_fill()
    {
        using var x = rand(1, 3, 16, 16) * 2 - 1;
        var augmenter = new TensorAugmenter(AugmentationOptions.None with { CropPadding = 3 });
        using var y = augmenter.Apply(x, new Random(7));
        Assert.That(y.shape, Is.EqualTo(x.shape));
        bool found = false;
        for (int dy = -3; dy <= 3 && !found; dy++)
            for (int dx = -3; dx <= 3 && !found; dx++)
            {
                using var padded = nn.functional.pad(x, new long[] { 3, 3, 3, 3 });
                using var crop = padded.narrow(2, 3 + dy, 16).narrow(3, 3 + dx, 16);
                found = crop.allclose(y);
            }
        Assert.That(found, Is.True, "the output is one of the 49 crops of the zero-padded input");
    }

    [Test]
    public void Colour_jitter_changes_the_images_keeps_the_range_and_is_reproducible()
    {
        using var x = rand(4, 3, 8, 8) * 2 - 1;
        var augmenter = new TensorAugmenter(new AugmentationOptions());
        using var a = augmenter.Apply(x, new Random(3));
        using var b = augmenter.Apply(x, new Random(3));
        using var c = augmenter.Apply(x, new Random(4));
        Assert.That(a.eq(b).all().item<bool>(), Is.True, "same seed, same result");
        Assert.That(a.allclose(c), Is.False, "another seed, another result");
        Assert.That(a.allclose(x), Is.False);
        Assert.That(a.min().item<float>(), Is.GreaterThanOrEqualTo(-127.5f / 128 - 1e-5f));
        Assert.That(a.max().item<float>(), Is.LessThanOrEqualTo(127.5f / 128 + 1e-5f));
    }

    [Test]
    public void Out_of_range_options_are_rejected()
    {
        Assert.That(() => new TensorAugmenter(new AugmentationOptions { FlipProbability = 2 }), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("flip"));
        Assert.That(() => new TensorAugmenter(new AugmentationOptions { CropPadding = -1 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
