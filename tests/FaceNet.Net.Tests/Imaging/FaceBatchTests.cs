using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>The tensor path (<see cref="FaceBatch"/>) against the managed reference (<see cref="ManagedPreprocessing"/>).</summary>
public class FaceBatchTests
{
    private const int Values = FaceInput.ValuesPerImage;

    /// <summary>Noise of the given size, from a seed (values over the whole 0..255 range).</summary>
    private static Image<Rgb24> Noise(int seed, int width, int height, SixLabors.ImageSharp.Configuration? configuration = null)
    {
        var random = new Random(seed);
        var image = configuration is null ? new Image<Rgb24>(width, height) : new Image<Rgb24>(configuration, width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        return image;
    }

    /// <summary>The managed reference: CHW values of each image, one after the other.</summary>
    private static float[] Reference(IReadOnlyList<Image<Rgb24>> images, PreprocessingMode mode)
    {
        var expected = new float[images.Count * Values];
        for (int i = 0; i < images.Count; i++) ManagedPreprocessing.Fill(images[i], expected, i * Values, mode);
        return expected;
    }

    /// <summary>Checks shape, type and channels-last strides, and returns the values in NCHW order.</summary>
    private static float[] Read(torch.Tensor batch, int n)
    {
        Assert.That(batch.shape, Is.EqualTo(new long[] { n, 3, 160, 160 }));
        Assert.That(batch.dtype, Is.EqualTo(torch.ScalarType.Float32));
        Assert.That(batch.device_type, Is.EqualTo(DeviceType.CPU));
        Assert.That(batch.stride(), Is.EqualTo(new long[] { Values, 1, 160 * 3, 3 }), "an NCHW view of NHWC memory");
        using var contiguous = batch.contiguous();
        return contiguous.data<float>().ToArray();
    }

    private static void AssertClose(float[] actual, float[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        float max = 0;
        for (int i = 0; i < actual.Length; i++) max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        Assert.That(max, Is.LessThanOrEqualTo(1e-5f), "max |tensor path - managed reference|");
    }

    [TestCase(PreprocessingMode.Unit)]
    [TestCase(PreprocessingMode.Fixed)]
    [TestCase(PreprocessingMode.Prewhiten)]
    public void A_mixed_batch_matches_the_managed_reference(PreprocessingMode mode)
    {
        Image<Rgb24>[] images =
        [
            Noise(1, 160, 160),
            Noise(2, 250, 250),
            Noise(3, 64, 48),
            new Image<Rgb24>(160, 160, new Rgb24(90, 90, 90)),   // flat: prewhiten divides by 1/sqrt(N)
            new Image<Rgb24>(160, 160, new Rgb24(255, 255, 255)),
        ];
        try
        {
            using var batch = FaceBatch.ToTensor(images, mode);
            AssertClose(Read(batch, images.Length), Reference(images, mode));
            Assert.That((images[1].Width, images[1].Height), Is.EqualTo((250, 250)), "the caller's image is not modified");
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [TestCase(PreprocessingMode.Unit)]
    [TestCase(PreprocessingMode.Prewhiten)]
    public void Images_in_several_buffers_are_copied_row_by_row(PreprocessingMode mode)
    {
        var configuration = new SixLabors.ImageSharp.Configuration { MemoryAllocator = new SmallBufferAllocator() };
        using var image = Noise(4, 160, 160, configuration);
        Assert.That(image.DangerousTryGetSinglePixelMemory(out _), Is.False, "precondition: the pixels are not one buffer");

        using var batch = FaceBatch.ToTensor([image], mode);

        AssertClose(Read(batch, 1), Reference([image], mode));
    }

    [Test]
    public void FaceInput_ToTensor_is_the_one_image_batch()
    {
        using var image = Noise(5, 160, 160);
        using var single = FaceInput.ToTensor(image, PreprocessingMode.Fixed);
        AssertClose(Read(single, 1), Reference([image], PreprocessingMode.Fixed));
    }

    [Test]
    public void The_batch_belongs_to_the_callers_dispose_scope()
    {
        using var image = Noise(6, 160, 160);
        torch.Tensor batch;
        using (torch.NewDisposeScope())
        {
            batch = FaceBatch.ToTensor([image], PreprocessingMode.Unit);
            Assert.That(batch.IsInvalid, Is.False);
        }
        Assert.That(batch.IsInvalid, Is.True, "a new tensor belongs to the caller's scope");
    }

    [Test]
    public void An_empty_batch_or_a_null_image_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FaceBatch.ToTensor([], PreprocessingMode.Unit));
        Assert.Throws<ArgumentException>(() => FaceBatch.ToTensor([null!], PreprocessingMode.Unit));
        using var image = Noise(7, 160, 160);
        Assert.Throws<ArgumentOutOfRangeException>(() => FaceBatch.ToTensor([image], (PreprocessingMode)42));
    }

    /// <summary>Hands out buffers of at most ten rows of a 160-pixel Rgb24 image, so larger images span several buffers.</summary>
    private sealed class SmallBufferAllocator : MemoryAllocator
    {
        private readonly MemoryAllocator _inner = new SimpleGcMemoryAllocator();

        protected override int GetBufferCapacityInBytes() => 10 * 160 * 3;

        public override System.Buffers.IMemoryOwner<T> Allocate<T>(int length, AllocationOptions options = AllocationOptions.None) =>
            _inner.Allocate<T>(length, options);
    }
}
