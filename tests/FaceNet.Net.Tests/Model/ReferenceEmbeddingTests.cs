using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The 18 cases of the independent reference (<c>fixtures/reference-128</c>): the network loaded from the
/// Keras h5 and from its converted safetensors reproduces every raw output within 1e-3, through every backend: the
/// default (on the CPU the oneDNN backend: the first case module by module, the others through the compiled body),
/// oneDNN module by module, eager, and the unfolded modules.
/// </summary>
[Category(TestCategories.Reference)]
public class ReferenceEmbeddingTests
{
    private TempFolder _temp = null!;
    private FaceNetModel? _fromH5;
    private FaceNetModel? _fromSafetensors;
    private IReadOnlyList<ReferenceCase> _cases = [];

    [OneTimeSetUp]
    public void LoadWeightsOnce()
    {
        _temp = new TempFolder();
        var h5 = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        _cases = ReferenceCases.Load();
        _fromH5 = FaceNetModel.Load(h5);
        var converted = _temp.File("weights.safetensors");
        FaceNetWeights.ConvertToSafetensors(h5, converted);
        _fromSafetensors = FaceNetModel.Load(converted);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _fromH5?.Dispose();
        _fromSafetensors?.Dispose();
        _temp?.Dispose();
    }

    [TestCase(WeightFileFormat.KerasH5)]
    [TestCase(WeightFileFormat.Safetensors)]
    public void Every_reference_case_matches_within_tolerance(WeightFileFormat format)
    {
        var model = format == WeightFileFormat.KerasH5 ? _fromH5! : _fromSafetensors!;
        Assert.That(model.SourceFormat, Is.EqualTo(format));
        Assert.That(_cases, Has.Count.EqualTo(18));
        Assert.Multiple(() =>
        {
            foreach (var c in _cases)
            {
                using var input = c.LoadInput();
                using var output = model.Forward(input);
                var raw = output.data<float>().ToArray();
                float error = ReferenceCases.MaxAbsDifference(raw, c.Raw);
                TestContext.Out.WriteLine($"{format,-12} {c.Name,-28} max |raw - expected| = {error:E2}");
                Assert.That(error, Is.LessThanOrEqualTo(ReferenceCases.Tolerance), c.Name);
            }
        });
        if (TestModels.OneDnnRuns(model.Settings))
            Assert.That(model.Backend, Is.EqualTo("onednn-compiled"), "the cases after the first ran through the compiled network body");
    }

    [TestCase("onednn")]
    [TestCase("eager")]
    [TestCase("unfolded")]
    public void Every_reference_case_matches_through_every_other_backend(string backend)
    {
        var settings = backend switch
        {
            "onednn" => TestModels.Cpu() with { CompiledBody = false },
            "eager" => TestModels.Cpu(backend: InferenceBackend.Eager),
            _ => TestModels.Cpu(backend: InferenceBackend.Unfolded),
        };
        if (backend == "onednn") Assume.That(TestModels.OneDnnRuns(settings), Is.True, "the oneDNN backend does not run on this libtorch or CPU");
        var loaded = WeightReader.Read(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), null);
        using var model = FaceNetModel.FromWeights(loaded.Weights, loaded.EmbeddingSize, settings, null, loaded.Format, loaded.Metadata);
        float worst = 0;
        Assert.Multiple(() =>
        {
            foreach (var c in _cases)
            {
                using var input = c.LoadInput();
                using var output = model.Forward(input);
                float error = ReferenceCases.MaxAbsDifference(output.data<float>().ToArray(), c.Raw);
                worst = Math.Max(worst, error);
                Assert.That(error, Is.LessThanOrEqualTo(ReferenceCases.Tolerance), c.Name);
            }
        });
        TestContext.Out.WriteLine($"{model.Backend}: {_cases.Count} cases, max |raw - expected| = {worst:E2}");
        Assert.That(model.Backend, Is.EqualTo(backend));
    }

    [Test]
    public void The_h5_and_its_safetensors_have_the_same_fingerprint_and_size()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_fromH5!.EmbeddingSize, Is.EqualTo(128));
            Assert.That(_fromSafetensors!.EmbeddingSize, Is.EqualTo(128));
            Assert.That(_fromSafetensors.Fingerprint, Is.EqualTo(_fromH5.Fingerprint));
            Assert.That(_fromH5.Fingerprint, Does.Match("^[0-9a-f]{64}$"));
        });
    }

    [Test]
    public void A_batch_gives_the_same_rows_as_single_inputs()
    {
        // All 18 cases in one batch: more than InferenceSettings.DefaultStemChunk (8), so the stem runs in chunks
        // (8 + 8 + 2), and above batch 1, so every convolution takes libtorch's oneDNN path.
        var cases = _cases.ToList();
        Assert.That(cases, Has.Count.GreaterThan(2 * InferenceSettings.DefaultStemChunk));
        var inputs = cases.Select(c => c.LoadInput()).ToList();
        try
        {
            using var batch = TorchSharp.torch.cat(inputs, 0);
            using var output = _fromH5!.Forward(batch);
            Assert.That(output.shape, Is.EqualTo(new long[] { cases.Count, 128 }));
            for (int i = 0; i < cases.Count; i++)
            {
                using var row = output[i];
                Assert.That(ReferenceCases.MaxAbsDifference(row.data<float>().ToArray(), cases[i].Raw), Is.LessThanOrEqualTo(ReferenceCases.Tolerance), cases[i].Name);
            }
        }
        finally
        {
            foreach (var t in inputs) t.Dispose();
        }
    }
}
