using FaceNet.Net.Model;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// <see cref="Precision.Int8"/> (opt-in, CPU) against the independent reference: the L2-normalised embeddings stay
/// within int8's stated bound of the reference's, whether the cases are encoded one by one or together (the activation
/// scales come from the batch), and every verification decision between the reference cases is the reference's.
/// </summary>
[Category(TestCategories.Reference)]
public class Int8ReferenceTests
{
    /// <summary>The bound <see cref="Precision.Int8"/> states for unit embeddings (measured here: up to 4.6e-3).</summary>
    private const float UnitBound = 1e-2f;

    [Test]
    public void Int8_embeddings_stay_within_the_stated_bound_and_keep_every_verification_decision()
    {
        var cases = ReferenceCases.Load();
        Assume.That(TestModels.OneDnnRuns(TestModels.Cpu(Precision.Int8)), Is.True, "oneDNN's int8 convolution does not run on this libtorch or CPU");
        using var model = FaceNetModel.Load(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), new InferenceOptions { Precision = Precision.Int8 });
        Assert.That(model.Precision, Is.EqualTo(Precision.Int8));

        using var scope = NewDisposeScope();
        var inputs = cases.Select(c => c.LoadInput()).ToList();
        var together = model.Forward(cat(inputs, 0)).data<float>().ToArray();
        Assert.That(model.Backend, Is.EqualTo("onednn-int8"));
        var units = new List<float[]>();
        float worstUnit = 0, worstSingle = 0, worstRaw = 0, batchEffect = 0;
        double worstCosine = 1;
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var single = model.Forward(inputs[i]).data<float>().ToArray();
            var raw = together.AsSpan(i * 128, 128).ToArray();
            var unit = ReferenceCases.Normalize(raw);
            var singleUnit = ReferenceCases.Normalize(single);
            units.Add(unit);
            float unitError = ReferenceCases.MaxAbsDifference(unit, c.Normalized);
            float singleError = ReferenceCases.MaxAbsDifference(singleUnit, c.Normalized);
            double cosine = unit.Zip(c.Normalized, (a, b) => (double)a * b).Sum();
            worstUnit = Math.Max(worstUnit, unitError);
            worstSingle = Math.Max(worstSingle, singleError);
            worstRaw = Math.Max(worstRaw, ReferenceCases.MaxAbsDifference(raw, c.Raw));
            batchEffect = Math.Max(batchEffect, ReferenceCases.MaxAbsDifference(unit, singleUnit));
            worstCosine = Math.Min(worstCosine, cosine);
            Assert.That(unitError, Is.LessThan(UnitBound), $"{c.Name}, in a batch of {cases.Count}");
            Assert.That(singleError, Is.LessThan(UnitBound), $"{c.Name}, alone");
            Assert.That(cosine, Is.GreaterThan(0.9995), c.Name);
        }
        Assert.That(worstUnit, Is.GreaterThan(0f), "int8 is not float32: the embeddings differ from the reference at all");

        var (pairs, largestShift, _) = ReferenceCases.AssertSameDecisions(cases, units, VerificationThresholds.Euclidean);
        TestContext.Out.WriteLine($"int8 on the CPU, {cases.Count} cases: max |unit - expected| = {worstUnit:E2} in one batch, {worstSingle:E2} one by one "
            + $"(batch effect {batchEffect:E2}), min cosine = {worstCosine:F6}, max |raw - expected| = {worstRaw:E2}; {pairs} pairs, largest distance shift {largestShift:E2}");
    }
}
