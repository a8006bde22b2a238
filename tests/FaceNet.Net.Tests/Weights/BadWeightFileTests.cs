using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// Every kind of bad weight file gives the library's <see cref="WeightLoadException"/> naming the problem, and
/// through the tools exit code 2 with one line on stderr; <c>convert</c> leaves no output or temporary file.
/// </summary>
public class BadWeightFileTests
{
    private TempFolder _temp = null!;
    private WeightSet _source = null!;
    private readonly Dictionary<string, (string Path, string Expect, string ConvertExpect)> _files = new();

    [OneTimeSetUp]
    public void WriteBadFiles()
    {
        _temp = new TempFolder();
        _source = RandomWeights.Create(128, seed: 5);

        Add("empty", "is empty", p => File.WriteAllBytes(p, []));
        Add("random", "neither Keras .h5 (HDF5), .safetensors nor a PyTorch .pt state dict", p => File.WriteAllBytes(p, RandomBytes(4096, 1)));
        Add("truncated-h5", "not a readable Keras HDF5 file", p =>
        {
            var full = _temp.File("full-for-truncation.h5");
            KerasTestFile.Write(full, KerasTestFile.LayersFrom(_source), new KerasFileOptions { ShapesOnly = true });
            var bytes = File.ReadAllBytes(full);
            File.WriteAllBytes(p, bytes[..(bytes.Length / 2)]);
            File.Delete(full);
        });
        Add("not-keras", "not Keras weights", SmallFiles.WriteNonKerasHdf5);
        Add("layer-missing", "Block17_3_Conv2d_1x1/kernel", p => KerasTestFile.Write(p,
            KerasTestFile.LayersFrom(_source).Where(l => l.Name != "Block17_3_Conv2d_1x1").ToList(), new KerasFileOptions { ShapesOnly = true }));
        Add("wrong-shape", "Conv2d_2a_3x3/kernel [3, 3, 32, 16], expected [3, 3, 32, 32]", p =>
        {
            var layers = KerasTestFile.LayersFrom(_source);
            var layer = layers.Single(l => l.Name == "Conv2d_2a_3x3");
            layer.Weights[0] = new KerasTestWeight("kernel", [3, 3, 32, 16], new float[3 * 3 * 32 * 16]);
            KerasTestFile.Write(p, layers, new KerasFileOptions { ShapesOnly = true });
        });
        Add("extra-weight", "1 unexpected (Logits/kernel)", p =>
        {
            var layers = KerasTestFile.LayersFrom(_source);
            layers.Add(new KerasTestLayer("Logits", [new KerasTestWeight("kernel", [128, 10], new float[1280])]));
            KerasTestFile.Write(p, layers, new KerasFileOptions { ShapesOnly = true });
        });
        Add("truncated-safetensors", "data_offsets [48, 68] outside the 62-byte data section (truncated file?)", p =>
        {
            var full = _temp.File("small.safetensors");
            SmallFiles.WriteSmallSafetensors(full);
            var bytes = File.ReadAllBytes(full);
            File.WriteAllBytes(p, bytes[..^10]);
            File.Delete(full);
        }, convertExpect: "is safetensors, not a Keras .h5 or PyTorch .pt file");
        Add("safetensors-cut-in-header", "truncated or corrupt", p =>
        {
            var full = _temp.File("small2.safetensors");
            SmallFiles.WriteSmallSafetensors(full);
            File.WriteAllBytes(p, File.ReadAllBytes(full)[..40]);
            File.Delete(full);
        }, convertExpect: "is safetensors, not a Keras .h5 or PyTorch .pt file");
    }

    [OneTimeTearDown]
    public void Cleanup() => _temp.Dispose();

    /// <summary>Writes a bad file under a neutral name (so a message cannot match through the path).</summary>
    private void Add(string name, string expect, Action<string> write, string? convertExpect = null)
    {
        var path = _temp.File($"bad{_files.Count}.bin");
        write(path);
        _files[name] = (path, expect, convertExpect ?? expect);
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static readonly string[] Names = ["empty", "random", "truncated-h5", "not-keras", "layer-missing", "wrong-shape", "extra-weight", "truncated-safetensors", "safetensors-cut-in-header"];

    [TestCaseSource(nameof(Names))]
    public void Loading_throws_the_library_exception_naming_the_problem(string name)
    {
        var (path, expect, _) = _files[name];
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain(expect));
        Assert.That(e.Message, Does.Contain(path), "the message names the file");
    }

    [Test]
    public void A_directory_given_as_weights_is_a_weight_load_exception_saying_so()
    {
        var folder = Directory.CreateDirectory(_temp.File("weights-folder")).FullName;
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(folder).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"'{folder}' is a directory, not a weights file: give the .h5, .pt or .safetensors file inside it"));
        Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(folder));
    }

    [Test]
    public void A_missing_layer_is_listed_in_the_exception()
    {
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(_files["layer-missing"].Path).Dispose());
        Assert.That(e!.Missing, Is.EqualTo(new[] { "Block17_3_Conv2d_1x1/kernel", "Block17_3_Conv2d_1x1/bias" }));
        Assert.That(e.Unexpected, Is.Empty);
        Assert.That(e.Misshaped, Is.Empty);
    }

    [Test]
    public void Asking_for_128_d_from_512_d_weights_names_the_mis_shaped_head()
    {
        var path = _temp.File("weights512.h5");
        KerasTestFile.Write(path, KerasTestFile.LayersFrom(RandomWeights.Create(512, seed: 2)), new KerasFileOptions { ShapesOnly = true });
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path, new InferenceOptions { EmbeddingSize = 128 }).Dispose());
        Assert.That(e!.Misshaped, Has.Count.EqualTo(4));
        Assert.That(e.Misshaped[0], Does.StartWith("Bottleneck/kernel [1792, 512], expected [1792, 128]"));
        Assert.That(e.Message, Does.Contain("128-d Inception-ResNet-v1 that was asked for"));
    }

    [Test]
    public void A_missing_file_is_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => FaceNetModel.Load(_temp.File("nope.h5")).Dispose());
    }

    [TestCaseSource(nameof(Names))]
    public void Convert_exits_2_with_one_line_and_leaves_no_file(string name)
    {
        var (path, _, expect) = _files[name];
        using var outFolder = new TempFolder();
        var output = outFolder.File("out.safetensors");
        var result = BuiltTools.Run(BuiltTools.Converter, "convert", path, "-o", output);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StandardError, Does.StartWith("facenet-convert: ").And.Contain(expect));
            Assert.That(outFolder.Files(), Is.Empty, "no output and no temporary file");
        });
    }

    [Test]
    public void Encode_with_bad_weights_or_a_bad_raw_input_exits_2_with_one_line()
    {
        var raw = _temp.File("short.f32");
        File.WriteAllBytes(raw, new byte[1000]);
        var badWeights = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", _files["not-keras"].Path, "--raw-nhwc", raw);
        var badRaw = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", _files["not-keras"].Path, "--raw-nhwc", raw + "x");
        var shortRaw = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", _files["layer-missing"].Path, "--raw-nhwc", raw);
        Assert.Multiple(() =>
        {
            Assert.That(badWeights.ExitCode, Is.EqualTo(2), badWeights.ToString());
            Assert.That(badWeights.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(badRaw.ExitCode, Is.EqualTo(2), badRaw.ToString());
            Assert.That(badRaw.StandardError, Does.Contain("not found"));
            Assert.That(shortRaw.ExitCode, Is.EqualTo(2), shortRaw.ToString());
            Assert.That(shortRaw.StandardError.Trim(), Does.Contain("has 1000 bytes").And.Contain("307200"));
            Assert.That(shortRaw.StandardError.Trim().Split('\n'), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Verify_of_different_files_exits_2()
    {
        var a = _temp.File("a.safetensors");
        var b = _temp.File("b.safetensors");
        var h5a = _temp.File("a.h5");
        var h5b = _temp.File("b.h5");
        KerasTestFile.Write(h5a, KerasTestFile.LayersFrom(_source), new KerasFileOptions { ShapesOnly = true });
        var changed = KerasTestFile.LayersFrom(_source);
        changed.Single(l => l.Name == "Bottleneck_BatchNorm").Weights[0].Values[3] += 1;
        KerasTestFile.Write(h5b, changed);
        FaceNetWeights.ConvertToSafetensors(h5a, a);
        FaceNetWeights.ConvertToSafetensors(h5b, b);
        var result = BuiltTools.Run(BuiltTools.Converter, "verify", a, b);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.StandardError, Does.Contain("differ"));
    }
}
