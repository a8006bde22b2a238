using FaceNet.Net.Model;
using FaceNet.Net.Model.Graph;
using FaceNet.Net.Model.OneDnn;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The folded CPU network's body as one TorchScript call (<see cref="CompiledNetworkBody"/>): what it is written
/// from, when it takes over from the eager modules, and that it gives their values.
/// </summary>
[NonParallelizable] // switches CompiledNetworkBody.Enabled
public class CompiledNetworkBodyTests
{
    private static FaceNetModel RandomModel(int seed, ScalarType precision = ScalarType.Float32) =>
        FaceNetModel.FromWeights(RandomWeights.Create(128, seed: seed, randomGamma: true), 128, null, "fixed", WeightFileFormat.Safetensors,
            new Dictionary<string, string>(), precision);

    [Test]
    public void Every_convolution_after_the_stem_is_written_once_and_padded_ones_are_cut_back()
    {
        FaceNetRuntime.EnsureInitialized();
        using var model = RandomModel(seed: 2);
        var writer = new ScriptWriter();
        var output = model.Network.EmitBody(writer, "x");
        Assert.Multiple(() =>
        {
            // 132 convolutions in Inception-ResNet-v1, 3 of them in the stem, which stays eager.
            Assert.That(writer.Convolutions, Has.Count.EqualTo(129));
            Assert.That(writer.Convolutions.Distinct().Count(), Is.EqualTo(129), "each convolution once");
            // PointwiseConvPadding pads conv2d_3b (80), the 10 Block17 projections (896) and the 6 Block8 projections (1792).
            int cuts = writer.Body.Split('\n').Count(line => line.Contains("self.cut(", StringComparison.Ordinal));
            Assert.That(cuts, Is.EqualTo(17));
            Assert.That(writer.Body, Does.Contain($"    {output} = ops.aten.linear("), "ends with the head");
        });
    }

    [TestCase(ScalarType.Float32)]
    [TestCase(ScalarType.BFloat16)]
    public void After_the_first_pass_the_compiled_body_runs_and_gives_the_eager_values(ScalarType precision)
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(FusedConvolution.IsAvailable, Is.True, "the fused oneDNN convolution is not available in this libtorch");
        using var model = RandomModel(seed: 3, precision);
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        try
        {
            CompiledNetworkBody.Enabled = true;
            Assert.That(model.Network.UsesCompiledBody, Is.False, "nothing compiled before the first pass");
            model.Forward(randn(new long[] { 1, 3, 160, 160 }, generator: generator));
            Assert.That(model.Network.UsesCompiledBody, Is.True, "compiled after the first pass");
            // Batch 1 (the packed shape), batch 5, a batch over two stem chunks, and a larger image.
            foreach (var shape in new long[][] { [1, 3, 160, 160], [5, 3, 160, 160], [2 * InceptionResnetV1.StemChunk + 1, 3, 160, 160], [2, 3, 200, 180] })
            {
                var input = randn(shape, generator: generator);
                CompiledNetworkBody.Enabled = true;
                var compiled = model.Forward(input);
                CompiledNetworkBody.Enabled = false;
                var eager = model.Forward(input);
                double scale = eager.abs().max().item<float>();
                double error = compiled.sub(eager).abs().max().item<float>();
                TestContext.Out.WriteLine($"{precision} [{string.Join(", ", shape)}]: max |compiled - eager| = {error:E2} (outputs up to {scale:F2})");
                Assert.That(compiled.shape, Is.EqualTo(eager.shape));
                Assert.That(error, Is.LessThanOrEqualTo(1e-5 * Math.Max(1, scale)), $"input [{string.Join(", ", shape)}]");
            }
        }
        finally
        {
            CompiledNetworkBody.Enabled = true;
        }
    }

    [Test]
    public void Switched_off_the_body_stays_eager_and_folding_again_drops_the_compiled_one()
    {
        FaceNetRuntime.EnsureInitialized();
        Assume.That(FusedConvolution.IsAvailable, Is.True, "the fused oneDNN convolution is not available in this libtorch");
        using var model = RandomModel(seed: 4);
        using var scope = NewDisposeScope();
        var input = randn(new long[] { 1, 3, 160, 160 }, generator: new Generator(23));
        try
        {
            CompiledNetworkBody.Enabled = false;
            var before = model.Forward(input);
            model.Forward(input);
            Assert.That(model.Network.UsesCompiledBody, Is.False, "FACENET_CPU_GRAPH=0 keeps the eager body");
            CompiledNetworkBody.Enabled = true;
            model.Forward(input);
            Assert.That(model.Network.UsesCompiledBody, Is.True);
            model.Network.Fold(ScalarType.Float32);
            Assert.That(model.Network.UsesCompiledBody, Is.False, "a new fold drops the body compiled on the old weights");
            var after = model.Forward(input);
            Assert.That(model.Network.UsesCompiledBody, Is.True, "and compiles again on the next pass");
            Assert.That(after.sub(before).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-5f * Math.Max(1f, before.abs().max().item<float>())));
        }
        finally
        {
            CompiledNetworkBody.Enabled = true;
        }
    }
}
