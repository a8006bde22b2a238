using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>The loader's forward contract: shapes, input checks, determinism, thread safety, disposal.</summary>
public class FaceNetModelTests
{
    private FaceNetModel _model = null!;
    private WeightSet _weights = null!;

    [OneTimeSetUp]
    public void CreateModel()
    {
        _weights = RandomWeights.Create(128, seed: 21);
        _model = FaceNetModel.FromWeights(_weights, 128, TestModels.Cpu(), "fixed", WeightFileFormat.Safetensors, new Dictionary<string, string>());
    }

    [OneTimeTearDown]
    public void Dispose() => _model.Dispose();

    [Test]
    public void The_network_has_the_published_parameter_count()
    {
        // 22.8 M trainable parameters for 128-d; BatchNorm running statistics and the fixed gammas come on top.
        long trainable = _model.Network.parameters().Sum(p => p.numel());
        long keras = KerasWeightMap.Rules.Where(r => !r.DefaultsToOne && !r.KerasWeight.StartsWith("moving_", StringComparison.Ordinal))
            .Sum(r => { _weights.TryGet(r.TorchName, out var t); return (long)t.Values.Length; });
        long gammas = KerasWeightMap.Rules.Where(r => r.DefaultsToOne)
            .Sum(r => { _weights.TryGet(r.TorchName, out var t); return (long)t.Values.Length; });
        Assert.That(keras, Is.InRange(22_700_000, 22_900_000));
        Assert.That(trainable, Is.EqualTo(keras + gammas), "trainable = Keras trainable weights + the fixed BatchNorm gammas");
        Assert.That(_model.Fingerprint, Is.EqualTo(_weights.Fingerprint()));
    }

    [Test]
    public void Forward_returns_a_new_cpu_tensor_and_leaves_the_input_alone()
    {
        manual_seed(1);
        using var input = randn(3, 3, 160, 160);
        using var copy = input.clone();
        using var output = _model.Forward(input);
        Assert.Multiple(() =>
        {
            Assert.That(output.shape, Is.EqualTo(new long[] { 3, 128 }));
            Assert.That(output.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That(output.device_type, Is.EqualTo(DeviceType.CPU));
            Assert.That(output.requires_grad, Is.False);
            Assert.That(input.equal(copy).all().item<bool>(), Is.True, "input unchanged and still usable");
        });
    }

    [Test]
    public void Forward_is_deterministic_and_safe_from_several_threads()
    {
        manual_seed(2);
        using var input = randn(1, 3, 160, 160);
        using var expected = _model.Forward(input);
        var results = new float[4][];
        Parallel.For(0, 4, i =>
        {
            using var output = _model.Forward(input);
            results[i] = output.data<float>().ToArray();
        });
        var reference = expected.data<float>().ToArray();
        foreach (var r in results) Assert.That(r, Is.EqualTo(reference));
    }

    [TestCase(new long[] { 3, 160, 160 })]
    [TestCase(new long[] { 1, 1, 160, 160 })]
    [TestCase(new long[] { 1, 160, 160, 3 })]
    [TestCase(new long[] { 1, 3, 40, 40 })]
    [TestCase(new long[] { 0, 3, 160, 160 })]
    public void Forward_rejects_wrong_shapes(long[] shape)
    {
        using var input = zeros(shape);
        var e = Assert.Throws<ArgumentException>(() => _model.Forward(input).Dispose());
        Assert.That(e!.Message, Does.Contain("N x 3 x H x W"));
    }

    [Test]
    public void Forward_rejects_other_dtypes()
    {
        using var input = zeros([1, 3, 160, 160], dtype: ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => _model.Forward(input).Dispose());
    }

    [Test]
    public void A_disposed_model_refuses_to_run()
    {
        var model = FaceNetModel.FromWeights(_weights, 128, TestModels.Cpu(), null, WeightFileFormat.KerasH5, new Dictionary<string, string>());
        model.Dispose();
        model.Dispose();
        using var input = zeros(1, 3, 160, 160);
        Assert.Throws<ObjectDisposedException>(() => model.Forward(input).Dispose());
    }
}
