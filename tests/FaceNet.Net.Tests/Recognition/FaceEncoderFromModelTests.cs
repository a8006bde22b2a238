using FaceNet.Net.Devices;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using FaceNet.Net.Tests.Model;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>
/// <see cref="FaceEncoder.FromModel"/> (an encoder over a loaded model, with its ownership said explicitly) and
/// <see cref="FaceEncoder.EncodePreprocessed"/> (NHWC floats fed as they are).
/// </summary>
public class FaceEncoderFromModelTests
{
    private const int PerImage = 160 * 160 * 3;

    private FaceNetModel _model = null!;

    [OneTimeSetUp]
    public void CreateModel() => _model = TestModels.Random(seed: 31, TestModels.Cpu());

    [OneTimeTearDown]
    public void Dispose() => _model.Dispose();

    [Test]
    public void An_encoder_that_does_not_own_the_model_leaves_it_usable_and_reports_its_identity()
    {
        using (var encoder = FaceEncoder.FromModel(_model, ownsModel: false))
        {
            Assert.Multiple(() =>
            {
                Assert.That(encoder.Fingerprint, Is.EqualTo(_model.Fingerprint));
                Assert.That(encoder.EmbeddingSize, Is.EqualTo(128));
                Assert.That(encoder.Device, Is.EqualTo(_model.Device));
                Assert.That(encoder.Preprocessing, Is.EqualTo(PreprocessingMode.Fixed), "what the weights declare");
            });
        }
        using var input = zeros(1, 3, 160, 160);
        Assert.DoesNotThrow(() => _model.Forward(input).Dispose());
    }

    [Test]
    public void An_encoder_that_owns_the_model_disposes_it()
    {
        var model = TestModels.Random(seed: 32, TestModels.Cpu());
        var encoder = FaceEncoder.FromModel(model, ownsModel: true, new FaceEncoderOptions { Device = "cpu", Precision = Precision.Float32 });
        encoder.Dispose();
        using var input = zeros(1, 3, 160, 160);
        Assert.Throws<ObjectDisposedException>(() => model.Forward(input).Dispose());
    }

    [Test]
    public void Options_that_contradict_the_model_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => FaceEncoder.FromModel(null!, ownsModel: false));
        var precision = Assert.Throws<ArgumentException>(() => FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { Precision = Precision.BFloat16 }));
        Assert.That(precision!.Message, Does.Contain("BFloat16").And.Contain("Float32"));
        if (CudaDevices.IsAvailable)
        {
            var device = Assert.Throws<ArgumentException>(() => FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { Device = "cuda" }));
            Assert.That(device!.Message, Does.Contain("'cuda'").And.Contain("'cpu'"));
        }
        else
        {
            Assert.Throws<DeviceNotAvailableException>(() => FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { Device = "cuda" }));
        }
        using var input = zeros(1, 3, 160, 160);
        Assert.DoesNotThrow(() => _model.Forward(input).Dispose(), "a refused encoder does not dispose the model");
    }

    [Test]
    public void Preprocessed_input_is_fed_as_it_is_in_batches_and_normalised()
    {
        var random = new Random(5);
        var nhwc = new float[3 * PerImage];
        for (int i = 0; i < nhwc.Length; i++) nhwc[i] = (float)(random.NextDouble() * 2 - 1);
        using var encoder = FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { BatchSize = 2, IncludeRaw = true });

        var embeddings = encoder.EncodePreprocessed(nhwc);

        Assert.That(embeddings, Has.Count.EqualTo(3));
        for (int k = 0; k < 3; k++)
        {
            var expected = ExpectedRaw(nhwc.AsSpan(k * PerImage, PerImage));
            var raw = embeddings[k].Raw!.Value.ToArray();
            double norm = Math.Sqrt(raw.Sum(v => (double)v * v));
            Assert.Multiple(() =>
            {
                Assert.That(raw, Is.EqualTo(expected).Within(1e-4), $"image {k}");
                Assert.That(embeddings[k].ToArray(), Is.EqualTo(raw.Select(v => (float)(v / norm))).Within(1e-6));
                Assert.That(embeddings[k].Source, Is.EqualTo(_model.Fingerprint));
            });
        }
    }

    [Test]
    public void Preprocessed_input_ignores_the_preprocessing_mode()
    {
        var nhwc = Enumerable.Range(0, PerImage).Select(i => (float)Math.Sin(i * 0.001)).ToArray();
        using var unit = FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { Preprocessing = PreprocessingMode.Unit });
        using var prewhiten = FaceEncoder.FromModel(_model, ownsModel: false, new FaceEncoderOptions { Preprocessing = PreprocessingMode.Prewhiten });

        Assert.That(unit.EncodePreprocessed(nhwc)[0].ToArray(), Is.EqualTo(prewhiten.EncodePreprocessed(nhwc)[0].ToArray()));
    }

    [TestCase(0)]
    [TestCase(PerImage - 1)]
    [TestCase(PerImage + 1)]
    public void Input_that_is_not_whole_images_is_refused(int length)
    {
        using var encoder = FaceEncoder.FromModel(_model, ownsModel: false);
        var e = Assert.Throws<ArgumentException>(() => encoder.EncodePreprocessed(new float[length]));
        Assert.That(e!.Message, Does.Contain("76800").And.Contain($"got {length}"));
    }

    [Test]
    public void A_disposed_encoder_refuses_preprocessed_input()
    {
        var encoder = FaceEncoder.FromModel(_model, ownsModel: false);
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodePreprocessed(new float[PerImage]));
    }

    [Test]
    public void Encoding_after_the_callers_model_was_disposed_fails_clearly()
    {
        var model = TestModels.Random(seed: 33, TestModels.Cpu());
        using var encoder = FaceEncoder.FromModel(model, ownsModel: false);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodePreprocessed(new float[PerImage]));
    }

    /// <summary>The model's raw output for one NHWC image, transposed to NCHW by index here (not by the library).</summary>
    private float[] ExpectedRaw(ReadOnlySpan<float> nhwc)
    {
        var nchw = new float[PerImage];
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
                for (int c = 0; c < 3; c++)
                    nchw[c * 25600 + y * 160 + x] = nhwc[(y * 160 + x) * 3 + c];
        using var input = tensor(nchw, [1, 3, 160, 160]);
        using var output = _model.Forward(input);
        return output.data<float>().ToArray();
    }
}
