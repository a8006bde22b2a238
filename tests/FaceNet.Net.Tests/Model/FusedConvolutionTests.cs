using System.IO.Compression;
using System.Text;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Inference.TorchScript;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The fused oneDNN convolution of the oneDNN backend (convolution + bias + ReLU in one call, weight reordered
/// once) and the TorchScript archive that reaches it: same numbers as a float64 convolution for every kind of
/// layer in the network, whatever batch the weight was reordered for.
/// </summary>
public class FusedConvolutionTests
{
    [Test]
    public void The_fused_kernel_loads_on_this_libtorch()
    {
        FaceNetRuntime.EnsureInitialized();
        Assert.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null,
            "libtorch 2.10 for linux-x64 carries oneDNN and mkldnn::_convolution_pointwise; the archive must load and agree");
    }

    // Kernel shapes of Inception-ResNet-v1: stride-2 3x3 valid, 3x3 same, 1x7 / 7x1 same, 1x3, 1x1.
    [TestCase(3, 32, 3, 3, 2, 0, 0, 23)]
    [TestCase(32, 64, 3, 3, 1, 1, 1, 11)]
    [TestCase(192, 256, 3, 3, 2, 0, 0, 17)]
    [TestCase(128, 128, 1, 7, 1, 0, 3, 8)]
    [TestCase(128, 128, 7, 1, 1, 3, 0, 8)]
    [TestCase(192, 192, 1, 3, 1, 0, 1, 3)]
    [TestCase(896, 128, 1, 1, 1, 0, 0, 8)]
    public void A_fused_convolution_with_relu_matches_float64_at_every_batch(int inChannels, int outChannels, int kh, int kw, int stride, int ph, int pw, int size)
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null, "fused kernel not available");
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(inChannels * 31 + outChannels * 7 + kh));
        var weight = randn(new long[] { outChannels, inChannels, kh, kw }, generator: generator) / Math.Sqrt(inChannels * kh * kw);
        var bias = randn(new long[] { outChannels }, generator: generator);
        using var conv = FoldedConvolution.Create(weight, bias, [stride, stride], [ph, pw], ScalarType.Float32, channelsLast: true, padPointwise: false);
        var kernel = new FusedKernel();
        // The weight is reordered for the first call's shape (batch 5); the other batches must still be right.
        foreach (int batch in new[] { 5, 1, 2, 32 })
        {
            var x = randn(new long[] { batch, inChannels, size, size }, generator: generator);
            var expected = nn.functional.conv2d(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64),
                strides: [stride, stride], padding: [ph, pw]).relu();
            var actual = kernel.Run(conv, MemoryLayout.ToChannelsLast(x), relu: true);
            Assert.That(actual.shape, Is.EqualTo(expected.shape), $"batch {batch}");
            Assert.That(MemoryLayout.IsChannelsLast(actual), Is.True, $"batch {batch}: dense channels-last out");
            double error = actual.to(ScalarType.Float64).sub(expected).abs().max().item<double>();
            Assert.That(error, Is.LessThan(1e-4), $"batch {batch}: max |fused - float64|");
            Assert.That(actual.min().item<float>(), Is.GreaterThanOrEqualTo(0f), "ReLU applied");
        }
    }

    [Test]
    public void Without_relu_the_fused_convolution_keeps_negative_values_and_matches_the_plain_one()
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null, "fused kernel not available");
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var weight = randn(new long[] { 32, 16, 3, 3 }, generator: generator);
        var bias = randn(new long[] { 32 }, generator: generator);
        using var plainConv = FoldedConvolution.Create(weight, bias, [1, 1], [1, 1], ScalarType.Float32, channelsLast: true, padPointwise: false);
        using var fusedConv = FoldedConvolution.Create(weight, bias, [1, 1], [1, 1], ScalarType.Float32, channelsLast: true, padPointwise: false);
        var x = MemoryLayout.ToChannelsLast(randn(new long[] { 2, 16, 9, 9 }, generator: generator));
        var fused = new FusedKernel().Run(fusedConv, x, relu: false);
        var plain = PlainConvolution.Instance.Run(plainConv, x, relu: false);
        Assert.That(fused.sub(plain).abs().max().item<float>(), Is.LessThan(1e-4f));
        Assert.That(fused.min().item<float>(), Is.LessThan(0f), "no ReLU unless asked");
    }

    [Test]
    public void The_fused_path_takes_float32_and_on_avx512_cpus_bfloat16_but_no_other_type()
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null, "fused kernel not available");
        Assert.Multiple(() =>
        {
            Assert.That(FusedConvolution.Supports(ScalarType.Float32), Is.True);
            Assert.That(FusedConvolution.Supports(ScalarType.Float16), Is.False);
            Assert.That(FusedConvolution.Supports(ScalarType.Float64), Is.False);
            // libtorch runs bfloat16 oneDNN convolutions on CPUs with AVX-512 (BW, VL, DQ), as the build machine has.
            if (System.Runtime.Intrinsics.X86.Avx512BW.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.VL.IsSupported
                && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported)
                Assert.That(FusedConvolution.Supports(ScalarType.BFloat16), Is.True);
        });
    }

    [TestCase(64, 96, 1, 1, 17)]
    [TestCase(32, 32, 3, 3, 17)]
    [TestCase(128, 128, 1, 7, 8)]
    [TestCase(896, 960, 1, 1, 8)]
    public void In_bfloat16_the_fused_convolution_gives_the_plain_bfloat16_convolution(int inChannels, int outChannels, int kh, int kw, int size)
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null, "fused kernel not available");
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(inChannels + 13 * outChannels + kh));
        var weight = (randn(new long[] { outChannels, inChannels, kh, kw }, generator: generator) / Math.Sqrt(inChannels * kh * kw)).to(ScalarType.BFloat16);
        var bias = randn(new long[] { outChannels }, generator: generator).to(ScalarType.BFloat16);
        long[] padding = [kh / 2, kw / 2];
        using var conv = FoldedConvolution.Create(weight, bias, [1, 1], padding, ScalarType.BFloat16, channelsLast: true, padPointwise: false);
        var kernel = new FusedKernel();
        foreach (int batch in new[] { 3, 1 })
        {
            var x = MemoryLayout.ToChannelsLast(randn(new long[] { batch, inChannels, size, size }, generator: generator).to(ScalarType.BFloat16));
            var fused = kernel.Run(conv, x, relu: true);
            var plain = nn.functional.conv2d(x, weight, bias, padding: padding).relu_();
            var exact = nn.functional.conv2d(x.to(ScalarType.Float64), weight.to(ScalarType.Float64), bias.to(ScalarType.Float64), padding: padding).relu_();
            Assert.That(fused.dtype, Is.EqualTo(ScalarType.BFloat16));
            Assert.That(fused.shape, Is.EqualTo(plain.shape));
            Assert.That(fused.to(ScalarType.Float32).sub(plain.to(ScalarType.Float32)).abs().max().item<float>(), Is.EqualTo(0f), $"batch {batch}: same oneDNN kernel");
            // bfloat16 keeps 8 significant bits: outputs within a few hundredths of the float64 convolution of the same inputs.
            double scale = exact.abs().max().item<double>();
            Assert.That(fused.to(ScalarType.Float64).sub(exact).abs().max().item<double>(), Is.LessThan(1e-2 * Math.Max(1, scale)), $"batch {batch}");
        }
    }

    [TestCase(64, 32, 3, 3)]
    [TestCase(192, 1792, 1, 1)]
    [TestCase(128, 128, 7, 1)]
    public void A_packed_weight_unpacks_to_exactly_the_same_values_channels_last(int outChannels, int inChannels, int kh, int kw)
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(OneDnnCapability.Refusal(TestModels.Cpu()), Is.Null, "fused kernel not available");
        using var scope = NewDisposeScope();
        var weight = MemoryLayout.ToChannelsLast(randn(new long[] { outChannels, inChannels, kh, kw }, generator: new Generator(9)));
        var packed = FusedConvolution.Pack(weight, [1, 1], [kh / 2, kw / 2], [4, inChannels, 9, 9]);
        var unpacked = FusedConvolution.Unpack(packed);
        Assert.That(unpacked.shape, Is.EqualTo(weight.shape));
        Assert.That(unpacked.eq(weight).all().item<bool>(), Is.True);
        Assert.That(MemoryLayout.IsChannelsLast(unpacked), Is.True);
    }

    [Test]
    public void The_archive_holds_the_module_pickle_the_source_and_a_version()
    {
        var bytes = TorchScriptArchive.Create("Probe", "class Probe(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.That(names, Is.EquivalentTo(new[] { "archive/data.pkl", "archive/code/__torch__.py", "archive/constants.pkl", "archive/version", "archive/byteorder" }));
        using var code = new StreamReader(zip.GetEntry("archive/code/__torch__.py")!.Open());
        Assert.That(code.ReadToEnd(), Does.StartWith("class Probe(Module):").And.EndWith("\n"));
        using var pickle = new MemoryStream();
        zip.GetEntry("archive/data.pkl")!.Open().CopyTo(pickle);
        Assert.That(Encoding.ASCII.GetString(pickle.ToArray()), Does.Contain("__torch__\nProbe\n").And.Contain("training"));
    }

    [Test]
    public void An_archive_with_a_method_loads_and_runs_in_libtorch()
    {
        FaceNetRuntime.EnsureInitialized();
        var bytes = TorchScriptArchive.Create("Twice", """
            class Twice(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def run(self: __torch__.Twice, x: Tensor) -> Tensor:
                return ops.aten.mul(x, 2)
            """);
        string path = Path.Combine(Path.GetTempPath(), $"facenet-archive-test-{Guid.NewGuid():N}.pt");
        try
        {
            File.WriteAllBytes(path, bytes);
            using var module = jit.load(path);
            using var x = arange(4, ScalarType.Float32);
            using var y = (Tensor)module.invoke("run", x);
            Assert.That(y.data<float>().ToArray(), Is.EqualTo(new[] { 0f, 2f, 4f, 6f }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("")]
    [TestCase("1abc")]
    [TestCase("a b")]
    [TestCase("a\nb")]
    public void A_class_name_that_is_not_an_identifier_is_refused(string name) =>
        Assert.That(() => TorchScriptArchive.Create(name, "x"), Throws.ArgumentException.With.Message.Contains("not a TorchScript class name"));
}
