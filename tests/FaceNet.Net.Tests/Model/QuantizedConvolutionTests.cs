using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// oneDNN's int8 convolution as <see cref="Precision.Int8"/> uses it, on the body's kinds of layer (1x1 on a wide
/// input, 3x3, 1x7 and 7x1, strided): within int8's rounding of the float64 convolution at several batch sizes after
/// packing for one, ReLU applied or not, and the same output for the same input.
/// </summary>
public class QuantizedConvolutionTests
{
    private static void RequireInt8() =>
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu(Precision.Int8)), Is.Null, "oneDNN's int8 convolution does not run on this libtorch or CPU");

    [TestCase(320, 32, 1, 1, 1, 0, 0, 35)]
    [TestCase(32, 48, 3, 3, 1, 1, 1, 35)]
    [TestCase(320, 384, 3, 3, 2, 0, 0, 35)]
    [TestCase(128, 160, 1, 7, 1, 0, 3, 17)]
    [TestCase(160, 192, 7, 1, 1, 3, 0, 17)]
    [TestCase(384, 896, 1, 1, 1, 0, 0, 17)]
    [TestCase(1792, 192, 1, 1, 1, 0, 0, 3)]
    public void An_int8_convolution_stays_within_int8_rounding_of_float64_at_every_batch(int inChannels, int outChannels, int kh, int kw, int stride, int ph, int pw, int size)
    {
        RequireInt8();
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(inChannels * 13 + outChannels * 5 + kh));
        var weight = randn(new long[] { outChannels, inChannels, kh, kw }, generator: generator) / Math.Sqrt(inChannels * kh * kw);
        var bias = randn(new long[] { outChannels }, generator: generator).mul(0.1);
        long[] strides = [stride, stride], padding = [ph, pw];
        var (packed, scales) = QuantizedConvolution.Pack(weight, strides, padding, [5, inChannels, size, size]);
        foreach (int batch in new[] { 5, 1, 32 })
        {
            // Every input of a body convolution follows a ReLU.
            var x = MemoryLayout.ToChannelsLast(randn(new long[] { batch, inChannels, size, size }, generator: generator).relu_());
            var expected = nn.functional.conv2d(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64),
                strides: strides, padding: padding).relu();
            var actual = QuantizedConvolution.Forward(x, packed, scales, bias, strides, padding, relu: true);
            double range = expected.abs().max().item<double>();
            double error = actual.to(ScalarType.Float64).sub(expected).abs().max().item<double>();
            TestContext.Out.WriteLine($"{inChannels}->{outChannels} {kh}x{kw}/{stride} on {size}x{size}, batch {batch}: max |int8 - float64| {error:E2} of {range:F2}");
            Assert.That(actual.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That(actual.shape, Is.EqualTo(expected.shape), $"batch {batch}");
            Assert.That(error, Is.LessThan(0.02 * range), $"batch {batch}: within int8's rounding (about 1 % measured)");
            Assert.That(error, Is.GreaterThan(0), $"batch {batch}: int8 really ran");
            Assert.That(actual.min().item<float>(), Is.GreaterThanOrEqualTo(0f), "ReLU applied");
            Assert.That(QuantizedConvolution.Forward(x, packed, scales, bias, strides, padding, relu: true).eq(actual).all().item<bool>(), Is.True, "the same input gives the same output");
        }
    }

    [Test]
    public void Without_relu_negative_outputs_stay()
    {
        RequireInt8();
        using var scope = NewDisposeScope();
        var generator = new Generator(21);
        var weight = randn(new long[] { 64, 96, 1, 1 }, generator: generator) / Math.Sqrt(96);
        var bias = zeros(64);
        long[] one = [1, 1], none = [0, 0];
        var (packed, scales) = QuantizedConvolution.Pack(weight, one, none, [2, 96, 17, 17]);
        var x = MemoryLayout.ToChannelsLast(randn(new long[] { 2, 96, 17, 17 }, generator: generator).relu_());
        var expected = nn.functional.conv2d(x, weight, bias);
        var actual = QuantizedConvolution.Forward(x, packed, scales, bias, one, none, relu: false);
        Assert.That(actual.min().item<float>(), Is.LessThan(0f));
        Assert.That(actual.sub(expected).abs().max().item<float>(), Is.LessThan(0.03f * expected.abs().max().item<float>()));
    }
}
