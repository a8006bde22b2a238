using FaceNet.Net.Devices;
using FaceNet.Net.Imaging;
using FaceNet.Net.Training;
using FaceNet.Net.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

/// <summary>
/// A checkpoint records the preprocessing its training images had, and <see cref="CheckpointEmbedder"/> embeds with it
/// through the encoder's pipeline; devices are names resolved by the one resolver.
/// </summary>
public class CheckpointPreprocessingTests
{
    private const int Size = 16;
    private string _dir = "";

    [SetUp]
    public void Init()
    {
        FaceNetRuntime.EnsureInitialized();
        _dir = Directory.CreateTempSubdirectory("facenet-ckpre-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    /// <summary>Four identities of two noisy images each; returns the dataset root.</summary>
    private string WriteDataset()
    {
        var root = Path.Combine(_dir, "data");
        var random = new Random(5);
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int k = 0; k < 2; k++)
            {
                using var image = new Image<Rgb24>(24, 24);
                for (int y = 0; y < 24; y++)
                    for (int x = 0; x < 24; x++)
                        image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                image.SaveAsPng(Path.Combine(root, name, $"{k}.png"));
            }
        }
        return root;
    }

    private string TrainOneEpoch(ImageFolderDataset data)
    {
        torch.manual_seed(1);
        using var network = new CompactEmbeddingNetwork(embeddingSize: 4, width: 4, inputSize: Size);
        var options = new TrainingOptions
        {
            Epochs = 1, BatchesPerEpoch = 1, IdentitiesPerBatch = 2, ImagesPerIdentity = 2, CheckpointDirectory = Path.Combine(_dir, "ck"),
            CheckpointMetadata = network.ToMetadata(),
        };
        return new EmbeddingTrainer(network, options).Train(data).Epochs[0].CheckpointPath!;
    }

    [Test]
    public void A_checkpoint_is_embedded_with_the_preprocessing_it_was_trained_with()
    {
        var data = new ImageFolderDataset(WriteDataset(), Size, PreprocessingMode.Unit);
        var checkpoint = TrainOneEpoch(data);
        using (var file = TrainingCheckpoint.Read(checkpoint))
            Assert.That(file.Metadata[SafetensorsMetadata.Preprocessing], Is.EqualTo("unit"));

        var paths = Enumerable.Range(0, data.IdentityCount).Select(i => data.ImagePath(i, 0)).ToList();
        using var embedder = CheckpointEmbedder.Load(checkpoint);
        Assert.That(embedder.Preprocessing, Is.EqualTo(PreprocessingMode.Unit));
        var embedded = embedder.Embed(paths, batchSize: 3);

        // The same network by hand, fed the dataset's own tensors: what training saw.
        Dictionary<string, string> metadata;
        using (var file = TrainingCheckpoint.Read(checkpoint)) metadata = new(file.Metadata);
        var (network, _) = TrainableNetworks.FromMetadata(metadata);
        using (network)
        {
            EmbeddingTrainer.LoadModelWeights(network, checkpoint);
            network.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var expected = nn.functional.normalize(network.forward(stack(Enumerable.Range(0, paths.Count).Select(i => data.LoadImage(i, 0)))), p: 2, dim: 1);
            for (int i = 0; i < paths.Count; i++)
                Assert.That(embedded[i], Is.EqualTo(expected[i].data<float>().ToArray()).Within(1e-5), paths[i]);
        }

        using var overridden = CheckpointEmbedder.Load(checkpoint, preprocessing: PreprocessingMode.Fixed);
        Assert.That(overridden.Preprocessing, Is.EqualTo(PreprocessingMode.Fixed));
        Assert.That(overridden.Embed(paths)[0], Is.Not.EqualTo(embedded[0]).Within(1e-3), "the option wins over the checkpoint");
    }

    [Test]
    public void The_recorded_preprocessing_is_read_and_a_checkpoint_without_one_was_trained_with_fixed()
    {
        Assert.That(TrainableNetworks.PreprocessingOf(new Dictionary<string, string>()), Is.EqualTo(PreprocessingMode.Fixed));
        Assert.That(TrainableNetworks.PreprocessingOf(new Dictionary<string, string> { [SafetensorsMetadata.Preprocessing] = "prewhiten" }),
            Is.EqualTo(PreprocessingMode.Prewhiten));
        Assert.That(() => TrainableNetworks.PreprocessingOf(new Dictionary<string, string> { [SafetensorsMetadata.Preprocessing] = "zscore" }),
            Throws.InstanceOf<FaceNetException>().With.Message.Contains("'zscore'"));
    }

    [Test]
    public void Bad_device_names_fail_with_the_one_device_exception()
    {
        var data = new ImageFolderDataset(WriteDataset(), Size);
        var checkpoint = TrainOneEpoch(data);
        Assert.That(() => CheckpointEmbedder.Load(checkpoint, "gpu"),
            Throws.TypeOf<DeviceNotAvailableException>().With.Message.EqualTo("Device 'gpu' is not valid: use cpu, cuda, cuda:N or auto."));
        using var network = new CompactEmbeddingNetwork(embeddingSize: 4, width: 4, inputSize: Size);
        var options = new TrainingOptions { Epochs = 1, IdentitiesPerBatch = 2, ImagesPerIdentity = 2, Device = "cuda:x" };
        Assert.That(() => new EmbeddingTrainer(network, options).Train(data),
            Throws.TypeOf<DeviceNotAvailableException>().With.Message.Contains("'cuda:x'"));
    }
}
