using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The channels-last CPU inference path: the layout helpers, the guard around oneDNN's channels-last 1x1
/// convolution (wrong for many channel counts with libtorch 2.10 on AVX-512, through the plain and the fused
/// kernel alike), and the whole folded network against the plain NCHW network with BatchNorm unfolded.
/// </summary>
[NonParallelizable] // sets libtorch's thread count
public class ChannelsLastTests
{
    [Test]
    public void To_channels_last_keeps_shape_and_values_and_gives_channels_last_strides()
    {
        FaceNetRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4 * 5, ScalarType.Float32).reshape(2, 3, 4, 5);
        var cl = MemoryLayout.ToChannelsLast(x);
        Assert.Multiple(() =>
        {
            Assert.That(MemoryLayout.IsChannelsLast(x), Is.False);
            Assert.That(MemoryLayout.IsChannelsLast(cl), Is.True);
            Assert.That(cl.shape, Is.EqualTo(x.shape));
            Assert.That(cl.stride(), Is.EqualTo(new long[] { 60, 1, 15, 3 }));
            Assert.That(cl.eq(x).all().item<bool>(), Is.True, "same values");
            Assert.That(ReferenceEquals(MemoryLayout.ToChannelsLast(cl), cl), Is.True, "already channels-last: no copy");
            Assert.That(MemoryLayout.IsChannelsLast(zeros(4, 7, 1, 1)), Is.True, "size-1 dimensions do not decide the layout");
            Assert.That(MemoryLayout.IsChannelsLast(zeros(4, 7, 3)), Is.False, "only 4-d tensors");
        });
    }

    // Every 1x1 convolution shape of Inception-ResNet-v1 (in → out channels at its grid size), plus channel counts
    // that oneDNN 3.7.1's channels-last 1x1 kernel got wrong (112, 320, ...); see PointwiseConvPadding.
    [TestCase(64, 80, 38)]
    [TestCase(256, 32, 17)]
    [TestCase(96, 256, 17)]
    [TestCase(256, 192, 17)]
    [TestCase(896, 128, 8)]
    [TestCase(256, 896, 8)]
    [TestCase(896, 256, 8)]
    [TestCase(1792, 192, 3)]
    [TestCase(384, 1792, 3)]
    [TestCase(64, 112, 17)]
    [TestCase(64, 320, 5)]
    [TestCase(64, 24, 17)]
    [TestCase(64, 176, 9)]
    [TestCase(64, 208, 9)]
    [TestCase(96, 272, 8)]
    [TestCase(96, 304, 8)]
    public void A_folded_pointwise_convolution_is_right_channels_last(int inChannels, int outChannels, int size)
    {
        var settings = TestModels.Cpu();
        var kernels = new List<(string Name, IConvolutionKernel Kernel)> { ("plain", PlainConvolution.Instance) };
        if (TestModels.OneDnnRuns(settings)) kernels.Add(("fused", new FusedKernel()));
        int threads = get_num_threads();
        try
        {
            foreach (var (name, kernel) in kernels)
            foreach (int threadCount in new[] { 1, 2 })
            {
                set_num_threads(threadCount);
                using var scope = NewDisposeScope();
                var generator = new Generator((ulong)(inChannels * 7919 + outChannels));
                var weight = randn(new long[] { outChannels, inChannels, 1, 1 }, generator: generator) / Math.Sqrt(inChannels);
                var bias = randn(new long[] { outChannels }, generator: generator);
                using var conv = FoldedConvolution.Create(weight, bias, [1, 1], [0, 0], ScalarType.Float32, channelsLast: true, settings.PadPointwise);
                var node = new ConvolutionNode(conv, Relu: false);
                var interpreter = new PlanInterpreter(kernel, channelsLast: true, stemChunk: 0);
                foreach (int batch in new[] { 1, 2, 9, 16, 32 })
                {
                    var x = randn(new long[] { batch, inChannels, size, size }, generator: generator);
                    var expected = nn.functional.conv2d(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64));
                    var actual = interpreter.Run(node, MemoryLayout.ToChannelsLast(x));
                    double error = actual.to(ScalarType.Float64).sub(expected).abs().max().item<double>();
                    Assert.That(actual.shape, Is.EqualTo(expected.shape));
                    Assert.That(error, Is.LessThan(1e-4), $"{name} kernel, {threadCount} threads, batch {batch}: max |channels-last - float64|");
                    Assert.That(MemoryLayout.IsChannelsLast(actual), Is.True, "the output is dense channels-last");
                }
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [TestCase(80, 96)]
    [TestCase(896, 960)]
    [TestCase(1792, 1824)]
    [TestCase(32, 32)]
    [TestCase(128, 128)]
    [TestCase(256, 256)]
    [TestCase(192, 192)]
    [TestCase(384, 384)]
    [TestCase(96, 96)]
    [TestCase(112, 192)]
    [TestCase(24, 96)]
    [TestCase(320, 384)]
    public void Output_channel_counts_that_trip_onednn_are_padded_to_a_multiple_of_96(int outputChannels, int expected) =>
        Assert.That(PointwiseConvPadding.PaddedOutputChannels(outputChannels), Is.EqualTo(expected));

    [Test]
    public void The_padding_is_tied_to_the_libtorch_and_cpu_that_have_the_bug()
    {
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        Assert.Multiple(() =>
        {
            Assert.That(PointwiseConvPadding.Applies("2.10.0"), Is.EqualTo(avx512));
            Assert.That(PointwiseConvPadding.Applies("2.10.1+cpu"), Is.EqualTo(avx512));
            Assert.That(PointwiseConvPadding.Applies("2.11.0"), Is.False, "another libtorch bundles another oneDNN");
            Assert.That(PointwiseConvPadding.Applies(null), Is.False);
            var cuda = TestModels.Cpu() with { Device = new Device(TorchSharp.DeviceType.CUDA, 0) };
            Assert.That(cuda.PadPointwise, Is.False, "cuDNN needs none");
            Assert.That((TestModels.Cpu() with { ChannelsLast = false }).PadPointwise, Is.False, "NCHW takes another oneDNN kernel");
        });
    }

    [TestCase(InferenceBackend.Auto)]
    [TestCase(InferenceBackend.Eager)]
    public void The_folded_channels_last_network_matches_the_unfolded_nchw_network_in_and_beyond_the_stem_chunk(InferenceBackend backend)
    {
        using var folded = TestModels.Random(5, TestModels.Cpu(backend: backend));
        using var plain = TestModels.Random(5, TestModels.Cpu(backend: InferenceBackend.Unfolded));
        Assert.That(plain.Backend, Is.EqualTo("unfolded"));
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        int batch = 2 * InferenceSettings.DefaultStemChunk + 3; // three stem chunks, the last one partial
        var input = randn(new long[] { batch, 3, 160, 160 }, generator: generator);
        var expected = plain.Forward(input);
        var actual = folded.Forward(input);
        double error = TestModels.RelativeError(actual, expected);
        TestContext.Out.WriteLine($"{folded.Backend}: max |folded channels-last - unfolded NCHW| = {error:E2} (relative)");
        Assert.That(error, Is.LessThan(1e-4));
        using var single = folded.Forward(input.narrow(0, batch - 1, 1));
        Assert.That(TestModels.RelativeError(single, expected.narrow(0, batch - 1, 1)), Is.LessThan(1e-4), "batch 1 (libtorch's non-oneDNN path for small maps)");
    }
}
