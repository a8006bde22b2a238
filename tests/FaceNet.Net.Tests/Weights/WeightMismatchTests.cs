using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>The one weight-mismatch report: every missing, unexpected and mis-shaped weight, with the file, whichever loader found them.</summary>
public class WeightMismatchTests
{
    [Test]
    public void Everything_is_listed_in_expected_order_and_long_lists_are_shortened()
    {
        var expected = Enumerable.Range(0, 12).Select(i => ($"w{i}", new long[] { i + 1 })).ToList();
        var actual = expected.Skip(10).Select(e => (e.Item1, e.Item2)).ToList();
        actual[0] = ("w10", [99]);
        actual.Add(("x", [1]));

        var mismatch = WeightMismatch.Between(expected, actual);
        var e = mismatch.ToException("f.safetensors", "the thing");

        Assert.Multiple(() =>
        {
            Assert.That(mismatch.Missing, Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"w{i}")));
            Assert.That(mismatch.Unexpected, Is.EqualTo(new[] { "x" }));
            Assert.That(mismatch.Misshaped, Is.EqualTo(new[] { "w10 [99], expected [11]" }));
            Assert.That(e.Message, Is.EqualTo("'f.safetensors': its weights do not fit the thing: 10 missing (w0, w1, w2, w3, w4, w5, w6, w7, ... and 2 more); " +
                "1 unexpected (x); 1 mis-shaped (w10 [99], expected [11])"));
            Assert.That(e.Missing, Has.Count.EqualTo(10), "the exception carries the full lists");
        });
    }

    [Test]
    public void Fitting_weights_give_no_report()
    {
        var mismatch = WeightMismatch.Between([("a", [2L, 3L])], [("a", [2L, 3L])]);
        Assert.That(mismatch.IsEmpty, Is.True);
        Assert.DoesNotThrow(() => mismatch.ThrowIfAny("f", "the thing"));
    }

    [Test]
    public void Building_the_network_from_an_incomplete_set_lists_what_is_missing()
    {
        var full = RandomWeights.Create(128, seed: 3);
        var partial = new WeightSet("partial.safetensors");
        foreach (var t in full.Tensors.Where(t => t.Name != "last_bn.running_var")) partial.Add(t);

        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.FromWeights(partial, 128, Model.TestModels.Cpu(), null, WeightFileFormat.Safetensors,
            new Dictionary<string, string>()).Dispose())!;
        Assert.That(e.Message, Is.EqualTo("'partial.safetensors': its weights do not fit the 128-d Inception-ResNet-v1: 1 missing (last_bn.running_var)"));
        Assert.That(e.Missing, Is.EqualTo(new[] { "last_bn.running_var" }));
    }

    [Test]
    public void A_safetensors_file_with_a_wrong_head_is_reported_by_the_same_report()
    {
        using var temp = new TempFolder();
        var path = temp.File("head.safetensors");
        var weights = RandomWeights.Create(128, seed: 4);
        var set = new WeightSet();
        foreach (var t in weights.Tensors)
            set.Add(t.Name == "last_bn.bias" ? new TensorData(t.Name, [64], new float[64]) : t);
        SafetensorsFile.Write(path, set, new Dictionary<string, string>());

        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose())!;
        Assert.That(e.Message, Is.EqualTo($"'{path}': its weights do not fit the 128-d Inception-ResNet-v1: 1 mis-shaped (last_bn.bias [64], expected [128])"));
    }
}
