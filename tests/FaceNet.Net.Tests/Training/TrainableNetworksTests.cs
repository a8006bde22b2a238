using FaceNet.Net.Model;
using FaceNet.Net.Tests.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Training;
using FaceNet.Net.Weights;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

/// <summary><see cref="TrainableNetworks.InceptionResnetV1FromWeights"/>: pretrained weights as a network to fine-tune.</summary>
public class TrainableNetworksTests
{
    [Test]
    public void Pretrained_weights_become_a_trainable_network_that_computes_what_the_model_computes()
    {
        using var folder = new TempFolder();
        var path = folder.File("weights.safetensors");
        FaceNetWeights.WriteSynthetic(path, embeddingSize: 128, seed: 11);

        var (network, embeddingSize) = TrainableNetworks.InceptionResnetV1FromWeights(path);
        using (network)
        {
            Assert.Multiple(() =>
            {
                Assert.That(embeddingSize, Is.EqualTo(128));
                Assert.That(network.training, Is.True, "ready to train");
                Assert.That(network.parameters().All(p => p.requires_grad), Is.True, "every parameter trainable");
            });

            using var model = FaceNetModel.Load(path, new InferenceOptions { Backend = InferenceBackend.Unfolded });
            using var generator = new Generator(4);
            using var input = randn([2, 3, 160, 160], generator: generator);
            network.eval();
            using var noGrad = no_grad();
            using var trained = network.forward(input);
            using var expected = model.Forward(input);
            Assert.That(trained.shape, Is.EqualTo(new long[] { 2, 128 }));
            Assert.That(TestModels.RelativeError(trained, expected), Is.LessThan(1e-5), "the same weights, unfolded, in float32");
        }
    }

    [Test]
    public void Its_metadata_rebuilds_the_same_architecture()
    {
        using var folder = new TempFolder();
        var path = folder.File("weights.safetensors");
        FaceNetWeights.WriteSynthetic(path, embeddingSize: 64, seed: 12);

        var (network, embeddingSize) = TrainableNetworks.InceptionResnetV1FromWeights(path);
        using (network)
        {
            var (rebuilt, inputSize) = TrainableNetworks.FromMetadata(TrainableNetworks.InceptionResnetV1Metadata(embeddingSize));
            using (rebuilt)
            {
                Assert.That(embeddingSize, Is.EqualTo(64));
                Assert.That(inputSize, Is.EqualTo(FaceNetModel.InputSize));
                Assert.That(rebuilt.state_dict().ToDictionary(p => p.Key, p => p.Value.shape),
                    Is.EqualTo(network.state_dict().ToDictionary(p => p.Key, p => p.Value.shape)));
            }
        }
    }

    [Test]
    public void A_missing_or_unreadable_file_fails_with_the_documented_exceptions()
    {
        using var folder = new TempFolder();
        var notWeights = folder.File("notes.safetensors");
        File.WriteAllText(notWeights, "not a weight file");
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => TrainableNetworks.InceptionResnetV1FromWeights(""));
            Assert.Throws<FileNotFoundException>(() => TrainableNetworks.InceptionResnetV1FromWeights(folder.File("absent.h5")));
            Assert.Throws<WeightLoadException>(() => TrainableNetworks.InceptionResnetV1FromWeights(notWeights));
        });
    }
}
