using FaceNet.Net.Model;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using FaceNet.Net.Weights.Torch;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// <c>reference-128/facenet-pytorch-128.pt</c> (legacy <c>torch.save</c>, the weights of <c>weights.h5</c>, a 16-class
/// head): it holds bit for bit the tensors the h5 gives, reproduces <c>expected.json</c> within 1e-3, and so does the
/// same state dict re-packed here in the zip format.
/// </summary>
[Category(TestCategories.Reference)]
public class TorchReferenceTests
{
    private static string Pt => SharedFixtures.Path("fixtures", "reference-128", "facenet-pytorch-128.pt");

    private static string H5 => SharedFixtures.Path("fixtures", "reference-128", "weights.h5");

    [Test]
    public void The_pt_fixture_gives_every_reference_embedding_within_tolerance()
    {
        using var model = FaceNetModel.Load(Pt);
        Assert.That(model.EmbeddingSize, Is.EqualTo(128));
        AssertReference(model, ReferenceCases.Load());
    }

    [Test]
    public void The_pt_fixture_holds_the_same_weights_as_the_h5()
    {
        var comparison = FaceNetWeights.Compare(Pt, H5);
        Assert.Multiple(() =>
        {
            Assert.That(comparison.Identical, Is.True, string.Join("\n", comparison.Differences));
            Assert.That(comparison.TensorCount, Is.EqualTo(602), "the 16-class head and the BatchNorm counters are skipped");
            Assert.That(comparison.FingerprintA, Is.EqualTo(comparison.FingerprintB));
        });
        var info = FaceNetWeights.Inspect(Pt);
        Assert.Multiple(() =>
        {
            Assert.That(info.Format, Is.EqualTo(WeightFileFormat.PyTorch));
            Assert.That(info.Layout, Does.Contain("legacy"));
            Assert.That(info.EmbeddingSize, Is.EqualTo(128));
        });
    }

    [Test]
    public void The_fixture_re_packed_in_the_zip_format_gives_the_same_weights_and_embeddings()
    {
        using var temp = new TempFolder();
        var zip = temp.File("facenet-pytorch-128-zip.pt");
        var specs = new List<TorchTensorSpec>();
        using (var legacy = TorchCheckpoint.Open(Pt))
        {
            Assert.That(legacy.Entries.Select(e => e.Key), Does.Contain("logits.weight").And.Contain("conv2d_1a.bn.num_batches_tracked"));
            foreach (var (name, tensor) in legacy.Entries)
            {
                var values = legacy.ReadValues(tensor);
                var spec = tensor.Storage.Type.IsFloatingPoint
                    ? TorchTensorSpec.Float(name, tensor.Shape, values)
                    : TorchTensorSpec.Int64Scalar(name, (long)values[0]);
                specs.Add(spec);
            }
        }
        TorchSaveWriter.WriteZip(zip, specs, folder: "facenet-pytorch-128");

        var comparison = FaceNetWeights.Compare(zip, H5);
        Assert.That(comparison.Identical, Is.True, string.Join("\n", comparison.Differences));
        using var model = FaceNetModel.Load(zip);
        AssertReference(model, ReferenceCases.Load().Where(c => c.Name.EndsWith(".f32", StringComparison.Ordinal)).ToList());
    }

    private static void AssertReference(FaceNetModel model, IReadOnlyList<ReferenceCase> cases)
    {
        Assert.That(cases, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var c in cases)
            {
                using var input = c.LoadInput();
                using var output = model.Forward(input);
                float error = ReferenceCases.MaxAbsDifference(output.data<float>().ToArray(), c.Raw);
                TestContext.Out.WriteLine($".pt {c.Name,-28} max |raw - expected| = {error:E2}");
                Assert.That(error, Is.LessThanOrEqualTo(ReferenceCases.Tolerance), c.Name);
            }
        });
    }
}
