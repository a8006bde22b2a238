using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The oneDNN CPU backend: the TorchScript it writes from the plan, when the compiled body takes over, that it gives
/// the module-by-module values, and that every failure (a script refused, a script that disagrees, a libtorch outside
/// the gate) falls back with a log line while the process carries on.
/// </summary>
public class OneDnnBackendTests
{
    private static InferenceSettings OneDnnSettings(Precision precision = Precision.Float32)
    {
        var settings = TestModels.Cpu(precision);
        Assume.That(OneDnnCapability.Refusal(settings), Is.Null, "the oneDNN backend does not run on this libtorch or CPU");
        return settings;
    }

    private static Tensor Input(params long[] shape) => randn(shape, generator: new Generator(17));

    [Test]
    public void Every_convolution_after_the_stem_is_written_once_and_padded_ones_are_cut_back()
    {
        var settings = TestModels.Cpu();
        using var model = TestModels.Random(2, settings with { Backend = InferenceBackend.Eager });
        using var plan = PlanBuilder.Build(model.Network, ScalarType.Float32, channelsLast: true, settings.PadPointwise);
        var (source, arguments) = ScriptGenerator.Generate(plan);
        int padded = plan.Convolutions().Skip(3).Count(c => c.ComputedOutputChannels != c.OutputChannels);
        Assert.Multiple(() =>
        {
            // 132 convolutions in Inception-ResNet-v1, 3 of them in the stem, which the script does not hold.
            Assert.That(plan.Convolutions().Count(), Is.EqualTo(132));
            Assert.That(arguments, Has.Count.EqualTo(2 * 129 + 2), "weight and bias of each convolution, then the head's");
            Assert.That(arguments.Distinct().Count(), Is.EqualTo(arguments.Count), "each tensor once");
            // Where PointwiseConvPadding applies: conv2d_3b (80), the 10 Block17 projections (896) and the 6 Block8 projections (1792).
            Assert.That(padded, Is.EqualTo(settings.PadPointwise ? 17 : 0));
            Assert.That(source.Split('\n').Count(line => line.Contains("self.cut(", StringComparison.Ordinal)), Is.EqualTo(padded));
            Assert.That(source, Does.Contain(" = ops.aten.linear("), "ends with the head");
            Assert.That(TorchScriptCheck.Problem(source, ScriptGenerator.Prelude, ScriptGenerator.EntryLine), Is.Null, "the generated script passes its own check");
        });
    }

    [TestCase(Precision.Float32)]
    [TestCase(Precision.BFloat16)]
    public void After_warm_up_the_compiled_body_runs_and_gives_the_module_by_module_values(Precision precision)
    {
        var settings = OneDnnSettings(precision);
        using var compiled = TestModels.Random(3, settings);
        using var moduleByModule = TestModels.Random(3, settings with { CompiledBody = false });
        Assert.That(compiled.Backend, Is.EqualTo("onednn"), "nothing compiled before the first pass");
        compiled.WarmUp(1);
        moduleByModule.WarmUp(1);
        Assert.That(compiled.Backend, Is.EqualTo("onednn-compiled"));
        Assert.That(moduleByModule.Backend, Is.EqualTo("onednn"));
        // Batch 1 (the packed shape), batch 5, a batch over two stem chunks, and a larger image.
        foreach (var shape in new long[][] { [1, 3, 160, 160], [5, 3, 160, 160], [2 * InferenceSettings.DefaultStemChunk + 1, 3, 160, 160], [2, 3, 200, 180] })
        {
            using var scope = NewDisposeScope();
            var input = Input(shape);
            var a = compiled.Forward(input);
            var b = moduleByModule.Forward(input);
            double error = TestModels.RelativeError(a, b);
            TestContext.Out.WriteLine($"{precision} [{string.Join(", ", shape)}]: max |compiled - module by module| = {error:E2} (relative)");
            Assert.That(a.shape, Is.EqualTo(b.shape));
            Assert.That(error, Is.LessThanOrEqualTo(1e-5), $"input [{string.Join(", ", shape)}]");
        }
    }

    [Test]
    public void A_script_refused_by_the_check_falls_back_with_a_log_line_and_the_process_survives()
    {
        var settings = OneDnnSettings();
        var logger = new RecordingLogger();
        // A syntax error: loading it would end the process (libtorch's compile error is not catchable).
        var broken = settings with { ScriptTransform = source => source.Replace("ops.aten.relu_(", "ops.aten.relu_(+*", StringComparison.Ordinal) };
        using var model = TestModels.Random(6, broken, logger);
        using var reference = TestModels.Random(6, settings with { Backend = InferenceBackend.Eager });
        using var scope = NewDisposeScope();
        var input = Input(2, 3, 160, 160);
        var output = model.Forward(input);
        Assert.Multiple(() =>
        {
            Assert.That(model.Backend, Is.EqualTo("onednn"), "module by module");
            Assert.That(logger.Lines, Has.Some.Contains("refused before compiling"));
            Assert.That(TestModels.RelativeError(output, reference.Forward(input)), Is.LessThan(1e-4));
        });
    }

    [Test]
    public void A_compiled_body_that_disagrees_is_not_used()
    {
        var settings = OneDnnSettings();
        var logger = new RecordingLogger();
        // Valid TorchScript with different values: the first convolution of the body without its ReLU.
        var wrong = settings with { ScriptTransform = source => ReplaceFirst(source, ", True)", ", False)") };
        using var model = TestModels.Random(7, wrong, logger);
        using var reference = TestModels.Random(7, settings with { Backend = InferenceBackend.Eager });
        using var scope = NewDisposeScope();
        var input = Input(1, 3, 160, 160);
        var first = model.Forward(input);
        var second = model.Forward(input);
        Assert.Multiple(() =>
        {
            Assert.That(model.Backend, Is.EqualTo("onednn"));
            Assert.That(logger.Lines, Has.Some.Contains("compiled body differed"));
            Assert.That(TestModels.RelativeError(second, reference.Forward(input)), Is.LessThan(1e-4));
            Assert.That(TestModels.RelativeError(first, second), Is.LessThan(1e-6));
        });
    }

    [TestCase("2.11.0")]
    [TestCase("1.13.1")]
    [TestCase(null)]
    public void A_libtorch_outside_the_gate_runs_the_eager_backend_with_a_log_line(string? version)
    {
        var settings = TestModels.Cpu() with { LibTorchVersion = version };
        var logger = new RecordingLogger();
        using var model = TestModels.Random(8, settings, logger);
        using var scope = NewDisposeScope();
        var output = model.Forward(Input(1, 3, 160, 160));
        Assert.Multiple(() =>
        {
            Assert.That(model.Backend, Is.EqualTo("eager"));
            Assert.That(logger.Lines, Has.Exactly(1).Contains("eager backend").And.Contains("verified on libtorch 2.10."));
            Assert.That(output.isfinite().all().item<bool>(), Is.True);
        });
    }

    [Test]
    public void Float16_on_the_cpu_and_the_fused_override_run_eager_and_say_why()
    {
        var logger = new RecordingLogger();
        using (var half = TestModels.Random(9, TestModels.Cpu(Precision.Float16), logger)) Assert.That(half.Backend, Is.EqualTo("eager"));
        using (var off = TestModels.Random(9, TestModels.Cpu() with { FusedConvolution = false }, logger)) Assert.That(off.Backend, Is.EqualTo("eager"));
        Assert.That(logger.Lines, Has.Some.Contains("Float16").And.Some.Contains("FACENET_FUSED_CONV"));
    }

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        int at = text.IndexOf(find, text.IndexOf("  def forward(", StringComparison.Ordinal), StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + find.Length)..];
    }
}
