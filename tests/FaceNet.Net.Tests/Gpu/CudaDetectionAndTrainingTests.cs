using FaceNet.Net.Detection;
using FaceNet.Net.Tests.Detection;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Training;
using FaceNet.Net.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Gpu;

/// <summary>MTCNN detection and triplet-loss training on a CUDA device follow the CPU.</summary>
[Category(TestCategories.Gpu)]
public class CudaDetectionAndTrainingTests
{
    [OneTimeSetUp]
    public void NeedsCuda() => CudaCheck.RequireCuda();

    [Test]
    public void Detection_on_cuda_finds_the_cpu_faces()
    {
        using var photo = Image.Load<Rgb24>(MtcnnReference.PhotoPath("multiface.jpg"));
        using var cpu = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { DoublePrecision = false });
        using var cuda = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { DoublePrecision = false, Device = "cuda" });

        var expected = cpu.Detect(photo);
        var actual = CudaCheck.WithTf32(false, () => cuda.Detect(photo));

        TestContext.Out.WriteLine($"faces: cpu {expected.Count}, cuda {actual.Count}");
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(2), "multiface.jpg holds several faces");
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.That(a.Box.IntersectionOverUnion(e.Box), Is.GreaterThan(0.99), $"face {i}: {e.Box} vs {a.Box}");
            Assert.That(a.Probability, Is.EqualTo(e.Probability).Within(1e-3), $"face {i}");
            for (int k = 0; k < DetectedFace.LandmarkCount; k++)
            {
                Assert.That(a.Landmarks[k].X, Is.EqualTo(e.Landmarks[k].X).Within(0.5), $"face {i} landmark {k}");
                Assert.That(a.Landmarks[k].Y, Is.EqualTo(e.Landmarks[k].Y).Within(0.5), $"face {i} landmark {k}");
            }
        }
    }

    [Test]
    public void Training_on_cuda_starts_from_the_cpu_loss_and_lowers_it()
    {
        const int size = 32;
        TrainingResult Train(string device, List<TrainingProgress> reports)
        {
            using var data = new TensorIdentityDataset(
                Enumerable.Range(0, 12).Select(i => $"person_{i:D2}").ToList(), SyntheticIdentities.Generate(12, 6, size, seed: 4));
            manual_seed(11);
            using var net = new CompactEmbeddingNetwork(embeddingSize: 32, width: 8, inputSize: size);
            var options = new TrainingOptions
            {
                Epochs = 3, BatchesPerEpoch = 6, IdentitiesPerBatch = 6, ImagesPerIdentity = 3, LearningRate = 3e-3,
                Miner = TripletMiningStrategy.SemiHard, Seed = 7, Device = device,
                Augmentation = new AugmentationOptions { FlipProbability = 0, CropPadding = 0 },
            };
            var result = new EmbeddingTrainer(net, options).Train(data, new SynchronousProgress(reports.Add));
            Assert.That(net.parameters().First().device_type, Is.EqualTo(device == "cpu" ? TorchSharp.DeviceType.CPU : TorchSharp.DeviceType.CUDA),
                "the trainer leaves the model on its device");
            return result;
        }

        var cpuReports = new List<TrainingProgress>();
        var cudaReports = new List<TrainingProgress>();
        var cpu = Train("cpu", cpuReports);
        var cuda = CudaCheck.WithTf32(false, () => Train("cuda", cudaReports));

        TestContext.Out.WriteLine($"first-step loss: cpu {cpuReports[0].Loss:F6}, cuda {cudaReports[0].Loss:F6}; " +
            $"mean loss by epoch: cpu {string.Join(", ", cpu.Epochs.Select(e => e.MeanLoss.ToString("F4")))}, cuda {string.Join(", ", cuda.Epochs.Select(e => e.MeanLoss.ToString("F4")))}");
        Assert.That(cudaReports, Has.Count.EqualTo(cpuReports.Count));
        Assert.That(cudaReports[0].Loss, Is.EqualTo(cpuReports[0].Loss).Within(1e-4), "same weights, same batch: same loss");
        Assert.That(cudaReports.All(r => double.IsFinite(r.Loss)), Is.True);
        Assert.That(cuda.Epochs[^1].MeanLoss, Is.LessThan(cuda.Epochs[0].MeanLoss), "the training loss falls on CUDA");
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
