using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// Keras files in the published layouts and name spellings, written by the test from a seeded random network,
/// load to exactly the source tensors (same fingerprint) and give the source network's outputs.
/// </summary>
public class KerasLayoutTests
{
    private TempFolder _temp = null!;
    private WeightSet _source128 = null!;
    private string _split128 = null!;

    [OneTimeSetUp]
    public void CreateSource()
    {
        _temp = new TempFolder();
        _source128 = RandomWeights.Create(128, seed: 7);
        // Written once, used by several tests: the save_weights layout with every attribute split.
        _split128 = _temp.File("split.h5");
        KerasTestFile.Write(_split128, KerasTestFile.LayersFrom(_source128),
            new KerasFileOptions { SplitLayerNames = true, SplitWeightNames = true, NameStyle = WeightNameStyle.WithIndex });
    }

    [OneTimeTearDown]
    public void Cleanup() => _temp.Dispose();

    [Test]
    public void Save_weights_layout_with_split_attributes_and_weightless_layers_loads_exactly()
    {
        using var model = FaceNetModel.Load(_split128);
        Assert.Multiple(() =>
        {
            Assert.That(model.EmbeddingSize, Is.EqualTo(128));
            Assert.That(model.Fingerprint, Is.EqualTo(_source128.Fingerprint()));
            Assert.That(model.SourceFormat, Is.EqualTo(WeightFileFormat.KerasH5));
            Assert.That(model.ExpectedPreprocessing, Is.Null);
        });

        // Same outputs as the source network itself.
        using var source = FaceNetModel.FromWeights(_source128, 128, Model.TestModels.Cpu(), null, WeightFileFormat.Safetensors, new Dictionary<string, string>());
        manual_seed(3);
        using var input = randn(2, 3, 160, 160);
        using var expected = source.Forward(input);
        using var actual = model.Forward(input);
        Assert.That(actual.shape, Is.EqualTo(new long[] { 2, 128 }));
        Assert.That((actual - expected).abs().max().item<float>(), Is.EqualTo(0f));
    }

    [Test]
    public void Full_model_file_with_prefixed_names_variable_length_strings_gamma_and_512_d_loads_exactly()
    {
        var source512 = RandomWeights.Create(512, seed: 11, randomGamma: true);
        var path = _temp.File("full512.h5");
        KerasTestFile.Write(path, KerasTestFile.LayersFrom(source512, includeGamma: true),
            new KerasFileOptions { FullModel = true, NameStyle = WeightNameStyle.Prefixed, FixedLengthStrings = false });

        var info = FaceNetWeights.Inspect(path);
        Assert.Multiple(() =>
        {
            Assert.That(info.Layout, Does.Contain("model_weights"));
            Assert.That(info.KerasVersion, Is.EqualTo("2.1.2"));
            Assert.That(info.EmbeddingSize, Is.EqualTo(512));
        });
        using var model = FaceNetModel.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(model.EmbeddingSize, Is.EqualTo(512));
            Assert.That(model.Fingerprint, Is.EqualTo(source512.Fingerprint()));
        });
        using var output = model.Forward(zeros(1, 3, 160, 160));
        Assert.That(output.shape, Is.EqualTo(new long[] { 1, 512 }));
    }

    [Test]
    public void Names_without_index_or_weight_names_and_bare_datasets_load_exactly()
    {
        var withoutIndex = _temp.File("noindex.h5");
        KerasTestFile.Write(withoutIndex, KerasTestFile.LayersFrom(_source128),
            new KerasFileOptions { NameStyle = WeightNameStyle.WithoutIndex, WeightlessLayers = false });
        using (var model = FaceNetModel.Load(withoutIndex))
            Assert.That(model.Fingerprint, Is.EqualTo(_source128.Fingerprint()));
        File.Delete(withoutIndex);

        // Bare dataset names, no weight_names: declared shapes only (all zeros when read), so the expected
        // tensors are zeros except the BatchNorm gammas, which are 1.
        var bare = _temp.File("bare.h5");
        KerasTestFile.Write(bare, KerasTestFile.LayersFrom(_source128),
            new KerasFileOptions { NameStyle = WeightNameStyle.Bare, OmitWeightNames = true, ShapesOnly = true });
        var zeros = new WeightSet();
        foreach (var t in _source128.Tensors)
        {
            bool gamma = KerasWeightMap.Rules.Single(r => r.TorchName == t.Name).DefaultsToOne;
            zeros.Add(new TensorData(t.Name, t.Shape, Enumerable.Repeat(gamma ? 1f : 0f, t.Values.Length).ToArray()));
        }
        // Read, not loaded as a model: an all-zero network gives all-zero embeddings, which loading refuses (W11).
        Assert.That(WeightReader.Read(bare).Weights.Fingerprint(), Is.EqualTo(zeros.Fingerprint()));
        Assert.That(() => FaceNetModel.Load(bare), Throws.TypeOf<WeightLoadException>().With.Message.Contains("all-zero embeddings"));
    }

    [Test]
    public void Converting_to_safetensors_keeps_every_tensor_and_records_metadata()
    {
        var h5 = _split128;
        var st = _temp.File("converted.safetensors");
        var fingerprint = FaceNetWeights.ConvertToSafetensors(h5, st, preprocessing: "prewhiten");

        Assert.That(fingerprint, Is.EqualTo(_source128.Fingerprint()));
        Assert.That(_temp.Files().Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty, "no temporary file left");
        var comparison = FaceNetWeights.Compare(h5, st);
        Assert.That(comparison.Identical, Is.True, string.Join("; ", comparison.Differences));

        using var model = FaceNetModel.Load(st);
        Assert.Multiple(() =>
        {
            Assert.That(model.SourceFormat, Is.EqualTo(WeightFileFormat.Safetensors));
            Assert.That(model.Fingerprint, Is.EqualTo(_source128.Fingerprint()));
            Assert.That(model.ExpectedPreprocessing, Is.EqualTo("prewhiten"));
            Assert.That(model.Metadata[SafetensorsMetadata.EmbeddingSize], Is.EqualTo("128"));
            Assert.That(model.Metadata[SafetensorsMetadata.SourceFile], Is.EqualTo("split.h5"));
            Assert.That(model.Metadata[SafetensorsMetadata.SourceSha256], Has.Length.EqualTo(64));
            Assert.That(model.Metadata[SafetensorsMetadata.Converter], Does.StartWith("FaceNet.Net "));
        });
    }

    [Test]
    public void Shapes_are_checked_before_any_data_is_read()
    {
        // A file with declared shapes but no data: loading gets past every name and shape check and then reads zeros.
        var path = _temp.File("shapes-only.h5");
        KerasTestFile.Write(path, KerasTestFile.LayersFrom(_source128), new KerasFileOptions { ShapesOnly = true });
        Assert.That(new FileInfo(path).Length, Is.LessThan(2_000_000));
        var info = FaceNetWeights.Inspect(path);
        Assert.That(info.TensorCount, Is.EqualTo(KerasWeightMap.Rules.Count(r => !r.DefaultsToOne)));
        Assert.That(info.ParameterCount, Is.EqualTo(_source128.ElementCount - KerasWeightMap.Rules.Where(r => r.DefaultsToOne)
            .Sum(r => { _source128.TryGet(r.TorchName, out var t); return (long)t.Values.Length; })));
    }
}
