using FaceNet.Net.Model;
using FaceNet.Net.Model.Network;
using FaceNet.Net.Weights;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Weights;

/// <summary>The one Keras → torch table covers the network exactly, and its reorderings are each other's inverse.</summary>
public class KerasWeightMapTests
{
    [TestCase(128)]
    [TestCase(512)]
    public void Every_network_tensor_has_exactly_one_rule_and_every_rule_a_tensor(int embeddingSize)
    {
        var network = NetworkShapes.For(embeddingSize);
        var mapped = KerasWeightMap.Rules.Select(r => r.TorchName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mapped, Is.Unique);
            Assert.That(mapped, Is.EquivalentTo(network.Keys));
            Assert.That(KerasWeightMap.Rules.Select(r => r.KerasName), Is.Unique);
        });
    }

    [Test]
    public void The_table_has_the_published_layer_counts()
    {
        var layers = KerasWeightMap.Rules.Select(r => r.KerasLayer).Distinct().ToList();
        Assert.Multiple(() =>
        {
            // 6 stem + 5x(6 units + 1) + 4 (Mixed_6a) + 10x(4+1) + 7 (Mixed_7a) + 6x(4+1) + Bottleneck: conv and BN layers.
            Assert.That(layers.Count(l => !l.EndsWith("_BatchNorm", StringComparison.Ordinal)), Is.EqualTo(6 + 35 + 4 + 50 + 7 + 30 + 1));
            Assert.That(layers.Count(l => l.EndsWith("_BatchNorm", StringComparison.Ordinal)), Is.EqualTo(6 + 30 + 4 + 40 + 7 + 24 + 1));
            Assert.That(KerasWeightMap.Rules.Single(r => r.KerasLayer == "Block8_6_Conv2d_1x1" && r.KerasWeight == "bias").TorchName, Is.EqualTo("block8.conv2d.bias"));
            Assert.That(KerasWeightMap.Rules.Single(r => r.KerasLayer == "Mixed_7a_Branch_2_Conv2d_1a_3x3").TorchName, Is.EqualTo("mixed_7a.branch2.2.conv.weight"));
        });
    }

    [Test]
    public void Conv_kernels_move_from_hwio_to_oihw()
    {
        // Keras (kh=1, kw=2, in=2, out=3): value = 100*y + 10*x + ... encode indices to check placement.
        long[] keras = [1, 2, 2, 3];
        var values = new float[12];
        for (int x = 0; x < 2; x++)
            for (int i = 0; i < 2; i++)
                for (int o = 0; o < 3; o++)
                    values[(x * 2 + i) * 3 + o] = 100 * o + 10 * i + x;
        var torch = KerasWeightMap.ToTorch(KerasTransform.ConvKernel, keras, values);
        // torch (out=3, in=2, kh=1, kw=2)
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 2; i++)
                for (int x = 0; x < 2; x++)
                    Assert.That(torch[(o * 2 + i) * 2 + x], Is.EqualTo(100 * o + 10 * i + x));
        Assert.That(KerasLayout.ToKeras(KerasTransform.ConvKernel, [3, 2, 1, 2], torch), Is.EqualTo(values));
    }

    [Test]
    public void Dense_kernels_are_transposed()
    {
        float[] keras = [1, 2, 3, 4, 5, 6]; // (in=2, out=3)
        var torch = KerasWeightMap.ToTorch(KerasTransform.DenseKernel, [2, 3], keras);
        Assert.That(torch, Is.EqualTo(new float[] { 1, 4, 2, 5, 3, 6 })); // (out=3, in=2)
        Assert.That(KerasLayout.ToKeras(KerasTransform.DenseKernel, [3, 2], torch), Is.EqualTo(keras));
    }
}
