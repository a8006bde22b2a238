using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>The one embedding-size rule: D from the bottleneck's torch shape [D, 1792], in both formats.</summary>
public class EmbeddingSizeDetectorTests
{
    [TestCase(new long[] { 128, 1792 }, 128)]
    [TestCase(new long[] { 512, 1792 }, 512)]
    [TestCase(new long[] { 65536, 1792 }, 65536)]
    [TestCase(new long[] { 65537, 1792 }, null)]
    [TestCase(new long[] { 0, 1792 }, null)]
    [TestCase(new long[] { 1792, 128 }, null)]
    [TestCase(new long[] { 128 }, null)]
    public void The_size_is_read_from_the_bottleneck_shape_only_when_it_is_one(long[] shape, int? expected) =>
        Assert.That(EmbeddingSizeDetector.FromBottleneck(shape), Is.EqualTo(expected));

    [Test]
    public void A_requested_size_wins_over_the_detected_one_which_wins_over_the_default()
    {
        Assert.That(EmbeddingSizeDetector.Choose(64, 512), Is.EqualTo(64));
        Assert.That(EmbeddingSizeDetector.Choose(null, 512), Is.EqualTo(512));
        Assert.That(EmbeddingSizeDetector.Choose(null, null), Is.EqualTo(128));
    }

    [Test]
    public void Inspect_tells_the_same_size_from_h5_and_safetensors_and_none_from_an_odd_bottleneck()
    {
        using var temp = new TempFolder();
        var h5 = temp.File("w512.h5");
        KerasTestFile.Write(h5, KerasTestFile.LayersFrom(RandomWeights.Create(512, seed: 2)), new KerasFileOptions { ShapesOnly = true });
        var st = temp.File("w512.safetensors");
        FaceNetWeights.ConvertToSafetensors(h5, st);
        var odd = temp.File("odd.safetensors");
        var set = new WeightSet();
        set.Add(new TensorData("last_linear.weight", [512, 7], new float[512 * 7]));
        SafetensorsFile.Write(odd, set, new Dictionary<string, string>());

        Assert.Multiple(() =>
        {
            Assert.That(FaceNetWeights.Inspect(h5).EmbeddingSize, Is.EqualTo(512));
            Assert.That(FaceNetWeights.Inspect(st).EmbeddingSize, Is.EqualTo(512));
            Assert.That(FaceNetWeights.Inspect(odd).EmbeddingSize, Is.Null);
        });
    }
}
