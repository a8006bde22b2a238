using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// <see cref="Precision.Int8"/>: the weight quantization, the int8 body script (written once per input, passing the
/// check), the model it makes (int8 close to float32 on random weights, reported as int8), and the refusals where the
/// oneDNN backend cannot run it.
/// </summary>
public class Int8PrecisionTests
{
    [Test]
    public void Weights_are_quantized_per_output_channel_within_half_a_step()
    {
        using var scope = NewDisposeScope();
        var weight = randn(new long[] { 4, 3, 3, 3 }, generator: new Generator(5));
        weight[1] = weight[1].mul(100);
        weight[2] = zeros(3, 3, 3); // an all-zero channel (a padded one) stays zero
        var (values, scales) = QuantizedConvolution.Quantize(weight);
        var restored = values.to(ScalarType.Float32).mul(scales.view(-1, 1, 1, 1));
        var error = restored.sub(weight).abs().amax([1, 2, 3]);
        Assert.Multiple(() =>
        {
            Assert.That(values.dtype, Is.EqualTo(ScalarType.Int8));
            Assert.That(values.abs().to(ScalarType.Int32).max().item<int>(), Is.EqualTo(127), "the largest weight of a channel maps to ±127");
            for (int o = 0; o < 4; o++)
                Assert.That(error[o].item<float>(), Is.LessThanOrEqualTo(scales[o].item<float>() / 2 * 1.0001f), $"channel {o}");
            Assert.That(scales[1].item<float>(), Is.GreaterThan(50 * scales[0].item<float>()), "each channel has its own scale");
            Assert.That(restored[2].abs().max().item<float>(), Is.EqualTo(0f));
        });
    }

    [Test]
    public void The_int8_body_quantizes_each_input_once_and_passes_the_check()
    {
        var settings = TestModels.Cpu(Precision.Int8);
        Assume.That(TestModels.OneDnnRuns(settings), Is.True, "oneDNN's int8 convolution does not run on this libtorch or CPU");
        using var model = TestModels.Random(4, settings);
        model.WarmUp(1);
        Assert.That(model.Backend, Is.EqualTo("onednn-int8"));
        using var plan = PlanBuilder.Build(model.Network, ScalarType.Float32, channelsLast: true, settings.PadPointwise);
        var kernel = new FusedKernel();
        using (var scope = NewDisposeScope())
            new PlanInterpreter(kernel, channelsLast: true, settings.StemChunk).Forward(plan, MemoryLayout.ToChannelsLast(randn(1, 3, 160, 160)));
        using var weights = QuantizedWeights.Create(plan, kernel);
        var (source, arguments) = ScriptGenerator.Generate(plan, weights);
        var lines = source.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(arguments, Has.Count.EqualTo(3 * 129 + 2), "packed weight, scales and bias of each body convolution, then the head's");
            Assert.That(lines.Count(l => l.Contains("self.qconv(", StringComparison.Ordinal)), Is.EqualTo(129));
            Assert.That(lines.Count(l => l.Contains("self.conv(", StringComparison.Ordinal)), Is.Zero, "no float convolution in the int8 body");
            // Each distinct convolution input is quantized once: the branches of a block share their input's.
            int quantized = lines.Count(l => l.Contains("self.quant(", StringComparison.Ordinal));
            Assert.That(quantized, Is.LessThan(129).And.GreaterThan(60));
            Assert.That(TorchScriptCheck.Problem(source, ScriptGenerator.Int8Prelude, ScriptGenerator.EntryLine, int8: true), Is.Null);
            Assert.That(TorchScriptCheck.Problem(source, ScriptGenerator.Prelude, ScriptGenerator.EntryLine), Is.Not.Null,
                "checked against the float prelude, the int8 helpers are refused");
        });
    }

    [TestCase(128)]
    [TestCase(512)]
    public void An_int8_model_is_close_to_float32_and_reports_int8(int embeddingSize)
    {
        var settings = TestModels.Cpu(Precision.Int8);
        Assume.That(TestModels.OneDnnRuns(settings), Is.True, "oneDNN's int8 convolution does not run on this libtorch or CPU");
        using var int8 = TestModels.Random(8, settings, embeddingSize: embeddingSize);
        using var float32 = TestModels.Random(8, TestModels.Cpu(), embeddingSize: embeddingSize);
        using var scope = NewDisposeScope();
        var input = randn(new long[] { 6, 3, 160, 160 }, generator: new Generator(9));
        var a = nn.functional.normalize(int8.Forward(input), dim: 1);
        var b = nn.functional.normalize(float32.Forward(input), dim: 1);
        float cosine = a.mul(b).sum(1).min().item<float>();
        TestContext.Out.WriteLine($"int8 against float32 on random {embeddingSize}-d weights: min cosine {cosine:F6}, max |unit diff| {a.sub(b).abs().max().item<float>():E2}");
        // Another batch size and image size than the weights were packed for: oneDNN adapts, the values stay close.
        var other = randn(new long[] { 2, 3, 200, 180 }, generator: new Generator(10));
        float otherCosine = nn.functional.normalize(int8.Forward(other), dim: 1).mul(nn.functional.normalize(float32.Forward(other), dim: 1)).sum(1).min().item<float>();
        Assert.Multiple(() =>
        {
            Assert.That(int8.Precision, Is.EqualTo(Precision.Int8));
            Assert.That(int8.Backend, Is.EqualTo("onednn-int8"));
            Assert.That(cosine, Is.GreaterThan(0.999f));
            Assert.That(otherCosine, Is.GreaterThan(0.999f), "2 x 200 x 180 after packing for 6 x 160 x 160");
            Assert.That(a.sub(b).abs().max().item<float>(), Is.GreaterThan(0f), "int8 really ran");
        });
    }

    [TestCase(InferenceBackend.Eager, "eager backend was asked for")]
    [TestCase(InferenceBackend.Unfolded, "unfolded backend was asked for")]
    public void Int8_on_another_backend_is_refused_naming_the_fix(InferenceBackend backend, string reason)
    {
        var settings = TestModels.Cpu(Precision.Int8, backend);
        var e = Assert.Throws<ArgumentException>(() => TestModels.Random(1, settings).Dispose());
        Assert.That(e!.Message, Does.Contain("Precision Int8 runs on the CPU's oneDNN backend only").And.Contain(reason).And.Contain("use Precision Float32"));
    }

    [Test]
    public void Int8_without_the_compiled_body_is_refused()
    {
        var settings = TestModels.Cpu(Precision.Int8) with { CompiledBody = false };
        var e = Assert.Throws<ArgumentException>(() => TestModels.Random(1, settings).Dispose());
        Assert.That(e!.Message, Does.Contain("FACENET_CPU_GRAPH turns the compiled body off"));
    }

    [Test]
    public void Int8_computes_in_float32_tensors_and_auto_never_picks_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Precision.Int8.ToScalarType(), Is.EqualTo(ScalarType.Float32));
            Assert.That(TestModels.Cpu(Precision.Int8).Precision, Is.EqualTo(Precision.Int8));
            Assert.That(Precision.Auto.ResolveFor(CPU), Is.Not.EqualTo(Precision.Int8));
            Assert.That(Precision.Int8.ResolveFor(CPU), Is.EqualTo(Precision.Int8));
        });
    }
}
