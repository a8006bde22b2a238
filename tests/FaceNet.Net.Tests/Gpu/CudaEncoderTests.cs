using FaceNet.Net.Embeddings;
using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Recognition;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Gpu;

/// <summary>
/// The encoder on a CUDA device gives the CPU's embeddings: float32 (with and without TF32), float16 and bfloat16,
/// batched and single, through <see cref="FaceEncoder"/> from image to embedding, and from several threads at once.
/// Random weights (the CPU network itself is checked against the reference in <c>ReferenceEmbeddingTests</c>).
/// </summary>
[Category(TestCategories.Gpu)]
public class CudaEncoderTests
{
    private static readonly Dictionary<string, string> NoMetadata = new();
    private WeightSet _weights = null!;
    private FaceNetModel _cpu = null!;
    private Tensor _inputs = null!;
    private Tensor _expected = null!;

    [OneTimeSetUp]
    public void CreateModels()
    {
        CudaCheck.RequireCuda();
        _weights = RandomWeights.Create(128, seed: 31, randomGamma: true);
        _cpu = FaceNetModel.FromWeights(_weights, 128, Model.TestModels.Cpu(), "fixed", WeightFileFormat.Safetensors, NoMetadata);
        manual_seed(5);
        _inputs = randn(8, 3, FaceNetModel.InputSize, FaceNetModel.InputSize);
        _expected = _cpu.Forward(_inputs);
    }

    [OneTimeTearDown]
    public void DisposeModels()
    {
        _cpu?.Dispose();
        _inputs?.Dispose();
        _expected?.Dispose();
    }

    private FaceNetModel OnCuda(Precision precision = Precision.Float32) =>
        FaceNetModel.FromWeights(_weights, 128, InferenceSettings.Resolve(new InferenceOptions { Device = "cuda", Precision = precision }), "fixed",
            WeightFileFormat.Safetensors, NoMetadata);

    [Test]
    public void Float32_on_cuda_matches_the_cpu_when_tf32_is_off()
    {
        using var model = OnCuda();
        var agreement = CudaCheck.WithTf32(false, () =>
        {
            using var output = model.Forward(_inputs);
            Assert.That(output.device_type, Is.EqualTo(DeviceType.CPU), "outputs come back to the CPU");
            Assert.That(output.dtype, Is.EqualTo(ScalarType.Float32));
            return CudaCheck.Compare(_expected, output);
        });
        TestContext.Out.WriteLine($"cuda float32, TF32 off vs cpu: {agreement}");
        Assert.That(agreement.Finite, Is.True);
        Assert.That(agreement.MaxAbsDifference, Is.LessThan(1e-4));
    }

    [Test]
    public void Float32_on_cuda_with_tf32_on_stays_within_a_hundredth()
    {
        TestContext.Out.WriteLine($"libtorch's defaults here: cudnn.allow_tf32 = {torch.backends.cudnn.allow_tf32}, cuda.matmul.allow_tf32 = {torch.backends.cuda.matmul.allow_tf32}");
        using var model = OnCuda();
        var agreement = CudaCheck.WithTf32(true, () =>
        {
            using var output = model.Forward(_inputs);
            return CudaCheck.Compare(_expected, output);
        });
        TestContext.Out.WriteLine($"cuda float32, TF32 on vs cpu: {agreement}");
        Assert.That(agreement.Finite, Is.True);
        Assert.That(agreement.MaxAbsDifference, Is.LessThan(1e-2));
    }

    [TestCase(Precision.Float16, 0.9995)]
    [TestCase(Precision.BFloat16, 0.995)]
    public void Half_precision_on_cuda_stays_close_to_float32(Precision precision, double minCosine)
    {
        using var model = OnCuda(precision);
        Assert.That(model.Precision, Is.EqualTo(precision));
        using var output = model.Forward(_inputs);
        var agreement = CudaCheck.Compare(_expected, output);
        TestContext.Out.WriteLine($"cuda {precision} vs cpu float32: {agreement}");
        Assert.That(output.dtype, Is.EqualTo(ScalarType.Float32), "outputs come back as float32");
        Assert.That(agreement.Finite, Is.True);
        Assert.That(agreement.MinCosine, Is.GreaterThan(minCosine));
    }

    [Test]
    public void A_batch_on_cuda_equals_its_rows_one_at_a_time()
    {
        using var model = OnCuda();
        CudaCheck.WithTf32(false, () =>
        {
            using var batch = model.Forward(_inputs);
            for (int i = 0; i < _inputs.shape[0]; i++)
            {
                using var row = _inputs.narrow(0, i, 1);
                using var single = model.Forward(row);
                using var fromBatch = batch.narrow(0, i, 1);
                var agreement = CudaCheck.Compare(fromBatch, single);
                Assert.That(agreement.MaxAbsDifference, Is.LessThan(1e-5), $"row {i}: {agreement}");
            }
            return 0;
        });
    }

    [Test]
    public void The_encoder_on_cuda_gives_the_cpu_embeddings_for_images()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"facenet-cuda-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var weights = Path.Combine(folder, "random.safetensors");
            using (var stream = File.Create(weights))
                SafetensorsFile.Write(stream, _weights, new Dictionary<string, string>
                {
                    [SafetensorsMetadata.Format] = "pt",
                    [SafetensorsMetadata.Network] = "inception_resnet_v1",
                    [SafetensorsMetadata.EmbeddingSize] = "128",
                    [SafetensorsMetadata.Preprocessing] = "fixed",
                });
            var paths = TestImages.WriteFaces(folder, 5);
            using var cpu = FaceEncoder.FromWeights(weights);
            using var cuda = FaceEncoder.FromWeights(weights, new FaceEncoderOptions { Device = "cuda", BatchSize = 2 });
            Assert.That(cuda.Device, Is.EqualTo("cuda:0"));

            var expected = cpu.EncodeBatch(paths);
            var (batched, single) = CudaCheck.WithTf32(false, () => (cuda.EncodeBatch(paths), cuda.Encode(paths[3])));
            for (int i = 0; i < paths.Count; i++)
                Assert.That(batched[i].ToArray(), Is.EqualTo(expected[i].ToArray()).Within(1e-4), paths[i]);
            Assert.That(single.ToArray(), Is.EqualTo(expected[3].ToArray()).Within(1e-4));
            using var gallery = new InMemoryFaceGallery(cpu);
            for (int i = 0; i < paths.Count; i++) gallery.Enroll($"person-{i}", expected[i]);
            Assert.That(CudaCheck.WithTf32(false, () => cuda.WhoIsIt(paths[3], gallery)).Identity, Is.EqualTo("person-3"),
                "a CPU-enrolled gallery recognises the CUDA encoder's embedding");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Several_threads_can_share_one_cuda_model()
    {
        using var model = OnCuda();
        CudaCheck.WithTf32(false, () =>
        {
            using var reference = model.Forward(_inputs);
            var results = new CudaCheck.Agreement[4 * 3];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                using var output = model.Forward(_inputs);
                results[i] = CudaCheck.Compare(reference, output);
            });
            Assert.That(results.Max(r => r.MaxAbsDifference), Is.LessThan(1e-6), string.Join("; ", results));
            return 0;
        });
    }
}
