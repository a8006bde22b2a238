using FaceNet.Net.Detection;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Detection;

/// <summary>The shared MTCNN weights: the legacy <c>.pt</c> files (through the library's one PyTorch reader) and the safetensors hold the same tensors.</summary>
[Category(TestCategories.Reference)]
public class MtcnnWeightFileTests
{
    [TestCase("pnet")]
    [TestCase("rnet")]
    [TestCase("onet")]
    public void Legacy_pt_and_safetensors_hold_the_same_tensors(string network)
    {
        var folder = MtcnnReference.WeightsFolder;
        var fromPt = MtcnnWeights.Read(Path.Combine(folder, network + ".pt"));
        var fromSafetensors = MtcnnWeights.Read(Path.Combine(folder, network + ".safetensors"));
        Assert.That(fromPt.Keys, Is.EquivalentTo(fromSafetensors.Keys));
        foreach (var (name, array) in fromSafetensors)
        {
            Assert.That(fromPt[name].Shape, Is.EqualTo(array.Shape), name);
            Assert.That(fromPt[name].Values, Is.EqualTo(array.Values), name);
        }
    }
}
