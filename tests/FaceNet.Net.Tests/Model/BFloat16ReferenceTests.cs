using FaceNet.Net.Model;
using FaceNet.Net.Tests.Infrastructure;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// bfloat16 on the CPU (an opt-in precision, docs/performance.md): on the 18 cases of the independent reference the
/// L2-normalised embeddings stay within a few thousandths of the reference's. Not the float32 tolerance of
/// <see cref="ReferenceEmbeddingTests"/>: bfloat16 keeps 8 significant bits.
/// </summary>
[Category(TestCategories.Reference)]
public class BFloat16ReferenceTests
{
    [Test]
    public void On_the_cpu_bfloat16_embeddings_stay_within_a_few_thousandths_of_the_reference()
    {
        var cases = ReferenceCases.Load();
        using var model = FaceNetModel.Load(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), new InferenceOptions { Precision = Precision.BFloat16 });
        Assert.That(model.Precision, Is.EqualTo(Precision.BFloat16));
        float worstUnit = 0, worstRaw = 0;
        double worstCosine = 1;
        foreach (var c in cases)
        {
            using var scope = NewDisposeScope();
            var raw = model.Forward(c.LoadInput()).data<float>().ToArray();
            var unit = ReferenceCases.Normalize(raw);
            float unitError = ReferenceCases.MaxAbsDifference(unit, c.Normalized);
            double cosine = unit.Zip(c.Normalized, (a, b) => (double)a * b).Sum();
            worstUnit = Math.Max(worstUnit, unitError);
            worstRaw = Math.Max(worstRaw, ReferenceCases.MaxAbsDifference(raw, c.Raw));
            worstCosine = Math.Min(worstCosine, cosine);
            Assert.That(unitError, Is.LessThan(5e-3f), c.Name);
            Assert.That(cosine, Is.GreaterThan(0.9999), c.Name);
        }
        TestContext.Out.WriteLine($"bfloat16 on the CPU, {cases.Count} cases: max |unit - expected| = {worstUnit:E2}, min cosine = {worstCosine:F6}, max |raw - expected| = {worstRaw:E2}");
        if (TestModels.OneDnnRuns(model.Settings))
            Assert.That(model.Backend, Is.EqualTo("onednn-compiled"), "the cases after the first ran through the compiled body");
    }
}
