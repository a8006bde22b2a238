using FaceNet.Net.Embeddings;
using FaceNet.Net.Model;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using FaceNet.Net.Weights.Torch;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// facenet-pytorch <c>.pt</c> state dicts, in both <c>torch.save</c> formats, written here by <see cref="TorchSaveWriter"/>
/// from seeded random weights: 512-d with a real-size classifier head, BatchNorm counters and non-unit gammas, each
/// compared with the same weights as safetensors (bit-identical tensors, identical outputs).
/// </summary>
public class TorchWeightFileTests
{
    private TempFolder _temp = null!;
    private WeightSet _weights = null!;
    private string _safetensors = null!;

    [OneTimeSetUp]
    public void WriteFiles()
    {
        _temp = new TempFolder();
        _weights = RandomWeights.Create(512, seed: 16, randomGamma: true);
        _safetensors = _temp.File("same.safetensors");
        SafetensorsFile.Write(_safetensors, _weights, new Dictionary<string, string>());
    }

    [OneTimeTearDown]
    public void Cleanup() => _temp.Dispose();

    [TestCase(false, TestName = "A legacy-format 512-d file with an 8631-class head holds the same weights as safetensors and gives the same embeddings")]
    [TestCase(true, TestName = "A zip-format 512-d file with an 8631-class head holds the same weights as safetensors and gives the same embeddings")]
    public void Pt_file_loads_like_the_same_weights_as_safetensors(bool zip)
    {
        var path = _temp.File(zip ? "vggface2-like-zip.pt" : "vggface2-like-legacy.pt");
        var specs = TorchSaveWriter.FaceNetStateDict(_weights, logitsClasses: 8631);
        if (zip) TorchSaveWriter.WriteZip(path, specs);
        else TorchSaveWriter.WriteLegacy(path, specs);

        var info = FaceNetWeights.Inspect(path);
        Assert.Multiple(() =>
        {
            Assert.That(info.Format, Is.EqualTo(WeightFileFormat.PyTorch));
            Assert.That(info.Layout, Does.Contain(zip ? "zip format" : "legacy (non-zip) format"));
            Assert.That(info.EmbeddingSize, Is.EqualTo(512));
            Assert.That(info.TensorCount, Is.EqualTo(specs.Count));
        });
        var comparison = FaceNetWeights.Compare(path, _safetensors);
        Assert.That(comparison.Identical, Is.True, string.Join("\n", comparison.Differences));
        Assert.That(comparison.TensorCount, Is.EqualTo(_weights.Count));

        using var fromPt = FaceNetModel.Load(path);
        using var fromSafetensors = FaceNetModel.Load(_safetensors);
        Assert.Multiple(() =>
        {
            Assert.That(fromPt.EmbeddingSize, Is.EqualTo(512));
            Assert.That(fromPt.SourceFormat, Is.EqualTo(WeightFileFormat.PyTorch));
            Assert.That(fromPt.ExpectedPreprocessing, Is.EqualTo("fixed"), "facenet-pytorch's weights expect its fixed standardisation");
            Assert.That(fromPt.Fingerprint, Is.EqualTo(fromSafetensors.Fingerprint));
        });
        manual_seed(3);
        using var input = randn(2, 3, 160, 160);
        using var a = fromPt.Forward(input);
        using var b = fromSafetensors.Forward(input);
        Assert.That(TestModels.RelativeError(a, b), Is.EqualTo(0), "the same weights give the same numbers");
    }

    [Test]
    public void BatchNorm_gammas_in_the_file_are_applied_and_absent_ones_default_to_one()
    {
        var with = _temp.File("gammas.pt");
        var without = _temp.File("no-gammas.pt");
        TorchSaveWriter.WriteLegacy(with, TorchSaveWriter.FaceNetStateDict(_weights));
        TorchSaveWriter.WriteLegacy(without, TorchSaveWriter.FaceNetStateDict(_weights, dropGammas: true));

        using var withGammas = FaceNetModel.Load(with);
        using var withoutGammas = FaceNetModel.Load(without);
        using var reference = FaceNetModel.Load(_safetensors);
        manual_seed(4);
        using var input = randn(1, 3, 160, 160);
        using var a = withGammas.Forward(input);
        using var b = withoutGammas.Forward(input);
        using var r = reference.Forward(input);
        Assert.Multiple(() =>
        {
            Assert.That(TestModels.RelativeError(a, r), Is.LessThan(1e-6), "the random gammas of the file are used");
            Assert.That(TestModels.RelativeError(b, r), Is.GreaterThan(1e-2), "without them the network differs (gamma 1)");
        });
        var ones = new WeightSet();
        foreach (var t in _weights.Tensors)
        {
            bool gamma = t.Name.EndsWith(".bn.weight", StringComparison.Ordinal) || t.Name == "last_bn.weight";
            ones.Add(gamma ? t with { Values = Enumerable.Repeat(1f, t.Values.Length).ToArray() } : t);
        }
        Assert.That(withoutGammas.Fingerprint, Is.EqualTo(ones.Fingerprint()), "absent gammas are exactly 1");
    }

    [Test]
    public void The_library_encoder_takes_a_pt_file_and_its_fixed_preprocessing()
    {
        var path = _temp.File("encoder.pt");
        TorchSaveWriter.WriteZip(path, TorchSaveWriter.FaceNetStateDict(_weights, logitsClasses: 10));
        using var encoder = FaceEncoder.FromWeights(path, new FaceEncoderOptions { Device = "cpu" });
        Assert.That(encoder.Preprocessing, Is.EqualTo(FaceNet.Net.Imaging.PreprocessingMode.Fixed));
        Assert.That(encoder.EmbeddingSize, Is.EqualTo(512));
    }

    [Test]
    public void Strided_double_and_half_tensors_are_read_element_by_element()
    {
        // A 2x3 float32 view with strides (1, 2) of a 6-element storage: the transpose of [[0, 1], [2, 3], [4, 5]].
        var storage = new float[] { 0, 1, 2, 3, 4, 5 };
        var doubles = new double[] { 0.5, -1.25 };
        var halves = new Half[] { (Half)2.5, (Half)(-3) };
        var specs = new List<TorchTensorSpec>
        {
            new("strided", "FloatStorage", [2, 3], [1, 2], 6, System.Runtime.InteropServices.MemoryMarshal.AsBytes(storage.AsSpan()).ToArray()),
            new("offset", "FloatStorage", [2], [1], 6, System.Runtime.InteropServices.MemoryMarshal.AsBytes(storage.AsSpan()).ToArray(), Offset: 4),
            new("double", "DoubleStorage", [2], [1], 2, System.Runtime.InteropServices.MemoryMarshal.AsBytes(doubles.AsSpan()).ToArray()),
            new("half", "HalfStorage", [2], [1], 2, System.Runtime.InteropServices.MemoryMarshal.AsBytes(halves.AsSpan()).ToArray()),
        };
        foreach (bool zip in new[] { false, true })
        {
            var path = _temp.File(zip ? "small-zip.pt" : "small-legacy.pt");
            if (zip) TorchSaveWriter.WriteZip(path, specs, folder: "small-zip");
            else TorchSaveWriter.WriteLegacy(path, specs);
            using var checkpoint = TorchCheckpoint.Open(path);
            var values = checkpoint.Entries.ToDictionary(e => e.Key, e => checkpoint.ReadValues(e.Value));
            Assert.Multiple(() =>
            {
                Assert.That(values["strided"], Is.EqualTo(new float[] { 0, 2, 4, 1, 3, 5 }));
                Assert.That(values["offset"], Is.EqualTo(new float[] { 4, 5 }));
                Assert.That(values["double"], Is.EqualTo(new float[] { 0.5f, -1.25f }));
                Assert.That(values["half"], Is.EqualTo(new float[] { 2.5f, -3f }));
            });
        }
    }
}
