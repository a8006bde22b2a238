using FaceNet.Net.Model;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// <see cref="Precision.Auto"/> on the CPU against the independent reference: where it picks bfloat16 the embeddings
/// stay within bfloat16's bounds (<see cref="BFloat16ReferenceTests"/>), where it picks float32 within the float32
/// tolerance; either way every verification decision between the reference faces is the reference's.
/// </summary>
[Category(TestCategories.Reference)]
public class AutoPrecisionReferenceTests
{
    [Test]
    public void Auto_keeps_the_reference_embeddings_and_every_verification_decision()
    {
        var cases = ReferenceCases.Load();
        using var model = FaceNetModel.Load(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), new InferenceOptions { Precision = Precision.Auto });
        Assert.That(model.Precision, Is.EqualTo(Precision.Auto.ResolveFor(CPU)));
        bool bfloat16 = model.Precision == Precision.BFloat16;
        var units = new List<float[]>();
        float worstUnit = 0, worstRaw = 0;
        foreach (var c in cases)
        {
            using var scope = NewDisposeScope();
            var raw = model.Forward(c.LoadInput()).data<float>().ToArray();
            var unit = ReferenceCases.Normalize(raw);
            units.Add(unit);
            float unitError = ReferenceCases.MaxAbsDifference(unit, c.Normalized);
            float rawError = ReferenceCases.MaxAbsDifference(raw, c.Raw);
            worstUnit = Math.Max(worstUnit, unitError);
            worstRaw = Math.Max(worstRaw, rawError);
            if (bfloat16) Assert.That(unitError, Is.LessThan(5e-3f), c.Name);
            else Assert.That(rawError, Is.LessThan(ReferenceCases.Tolerance), c.Name);
        }

        // Every pair of cases: the same side of the default threshold as with the reference's embeddings.
        float threshold = VerificationThresholds.Euclidean;
        var (pairs, largestShift, smallestMargin) = ReferenceCases.AssertSameDecisions(cases, units, threshold);
        TestContext.Out.WriteLine($"auto on the CPU = {model.Precision}, {cases.Count} cases: max |unit - expected| = {worstUnit:E2}, max |raw - expected| = {worstRaw:E2}; "
            + $"{pairs} pairs, largest distance shift {largestShift:E2}, smallest reference margin to {threshold} {smallestMargin:E2}");
    }
}
