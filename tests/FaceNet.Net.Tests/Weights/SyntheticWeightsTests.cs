using System.Security.Cryptography;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Weights;

/// <summary><see cref="FaceNetWeights.WriteSynthetic"/>: files that load as the network, reproducible from the seed, written atomically.</summary>
public class SyntheticWeightsTests
{
    [Test]
    public void The_file_loads_as_the_network_with_the_returned_fingerprint_and_gives_finite_distinct_embeddings()
    {
        using var folder = new TempFolder();
        var path = folder.File("synthetic.safetensors");

        var fingerprint = FaceNetWeights.WriteSynthetic(path, embeddingSize: 128, seed: 7, PreprocessingMode.Prewhiten);

        using var model = FaceNetModel.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(model.Fingerprint, Is.EqualTo(fingerprint));
            Assert.That(model.EmbeddingSize, Is.EqualTo(128));
            Assert.That(model.ExpectedPreprocessing, Is.EqualTo("prewhiten"));
            Assert.That(model.Metadata[SafetensorsMetadata.Fingerprint], Is.EqualTo(fingerprint));
            Assert.That(folder.Files(), Is.EqualTo(new[] { "synthetic.safetensors" }), "no temporary file left beside it");
        });
        using var generator = new TorchSharp.torch.Generator(3);
        using var input = randn([2, 3, 160, 160], generator: generator);
        using var output = model.Forward(input);
        var a = output[0].data<float>().ToArray();
        var b = output[1].data<float>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(a.Concat(b).All(float.IsFinite), Is.True);
            Assert.That(Math.Sqrt(a.Sum(v => (double)v * v)), Is.GreaterThan(1e-3), "not collapsed to zero");
            Assert.That(a.Zip(b).Max(p => Math.Abs(p.First - p.Second)), Is.GreaterThan(1e-4), "different faces, different embeddings");
        });
    }

    [Test]
    public void The_same_seed_gives_the_same_file_another_seed_other_weights_and_torch_random_state_is_untouched()
    {
        using var folder = new TempFolder();
        manual_seed(99);
        var expectedDraw = Draw();

        manual_seed(99);
        var first = FaceNetWeights.WriteSynthetic(folder.File("a.safetensors"), 128, seed: 1);
        var draw = Draw();
        var again = FaceNetWeights.WriteSynthetic(folder.File("b.safetensors"), 128, seed: 1);
        var other = FaceNetWeights.WriteSynthetic(folder.File("a.safetensors"), 128, seed: 2); // replaces a.safetensors

        Assert.Multiple(() =>
        {
            Assert.That(draw, Is.EqualTo(expectedDraw), "TorchSharp's global generator was not used");
            Assert.That(again, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first));
            Assert.That(FaceNetWeights.Inspect(folder.File("a.safetensors")).Metadata[SafetensorsMetadata.Fingerprint], Is.EqualTo(other), "replaced");
            Assert.That(folder.Files().Order(), Is.EqualTo(new[] { "a.safetensors", "b.safetensors" }));
        });
        FaceNetWeights.WriteSynthetic(folder.File("a.safetensors"), 128, seed: 1);
        Assert.That(Sha256(folder.File("a.safetensors")), Is.EqualTo(Sha256(folder.File("b.safetensors"))), "byte for byte the same file");
    }

    [Test]
    public void Other_embedding_sizes_and_the_default_preprocessing_are_recorded()
    {
        using var folder = new TempFolder();
        var path = folder.File("d512.safetensors");

        FaceNetWeights.WriteSynthetic(path, embeddingSize: 512, seed: 0);

        var info = FaceNetWeights.Inspect(path);
        Assert.Multiple(() =>
        {
            Assert.That(info.EmbeddingSize, Is.EqualTo(512));
            Assert.That(info.Format, Is.EqualTo(WeightFileFormat.Safetensors));
            Assert.That(info.Metadata[SafetensorsMetadata.EmbeddingSize], Is.EqualTo("512"));
            Assert.That(info.Metadata[SafetensorsMetadata.Preprocessing], Is.EqualTo("fixed"));
        });
    }

    [Test]
    public void Bad_arguments_are_refused_before_anything_is_written()
    {
        using var folder = new TempFolder();
        var path = folder.File("never.safetensors");
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => FaceNetWeights.WriteSynthetic("", 128, 0));
            Assert.Throws<ArgumentNullException>(() => FaceNetWeights.WriteSynthetic(null!, 128, 0));
            var size = Assert.Throws<ArgumentOutOfRangeException>(() => FaceNetWeights.WriteSynthetic(path, 0, 0));
            Assert.That(size!.ParamName, Is.EqualTo("embeddingSize"));
            var mode = Assert.Throws<ArgumentOutOfRangeException>(() => FaceNetWeights.WriteSynthetic(path, 128, 0, (PreprocessingMode)42));
            Assert.That(mode!.ParamName, Is.EqualTo("preprocessing"));
        });
        Assert.That(folder.Files(), Is.Empty);
    }

    private static float[] Draw()
    {
        using var values = rand(4);
        return values.data<float>().ToArray();
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
