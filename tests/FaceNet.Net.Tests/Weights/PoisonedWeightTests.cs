using System.Diagnostics;
using System.Runtime.InteropServices;
using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// The poisoned-weights rows of docs/errors.md (each test name starts with its row id): values no trained network
/// holds, degenerate networks, recorded fingerprints, and headers listing far more than the network needs.
/// </summary>
public class PoisonedWeightTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    public enum Format { Safetensors, KerasH5, PyTorch }

    public enum Poison { NaN, PositiveInfinity, NegativeInfinity, NegativeVariance }

    /// <summary>Writes <paramref name="weights"/> in <paramref name="format"/> (safetensors without a recorded fingerprint).</summary>
    private string Write(WeightSet weights, Format format)
    {
        switch (format)
        {
            case Format.KerasH5:
                var h5 = _temp.File("w.h5");
                KerasTestFile.Write(h5, KerasTestFile.LayersFrom(weights));
                return h5;
            case Format.PyTorch:
                var pt = _temp.File("w.pt");
                TorchSaveWriter.WriteLegacy(pt, TorchSaveWriter.FaceNetStateDict(weights));
                return pt;
            default:
                var st = _temp.File("w.safetensors");
                SafetensorsFile.Write(st, weights, new Dictionary<string, string>());
                return st;
        }
    }

    private static TensorData Tensor(WeightSet weights, string name)
    {
        Assert.That(weights.TryGet(name, out var t), Is.True, name);
        return t;
    }

    [TestCase(Format.Safetensors, Poison.NaN)]
    [TestCase(Format.Safetensors, Poison.PositiveInfinity)]
    [TestCase(Format.Safetensors, Poison.NegativeVariance)]
    [TestCase(Format.KerasH5, Poison.NaN)]
    [TestCase(Format.KerasH5, Poison.NegativeInfinity)]
    [TestCase(Format.KerasH5, Poison.NegativeVariance)]
    [TestCase(Format.PyTorch, Poison.PositiveInfinity)]
    [TestCase(Format.PyTorch, Poison.NaN)]
    [TestCase(Format.PyTorch, Poison.NegativeVariance)]
    public void W10_non_finite_values_and_negative_variances_are_refused_naming_the_tensor_and_the_file(Format format, Poison poison)
    {
        var weights = SyntheticWeights.Create(128, 3);
        string name = poison == Poison.NegativeVariance ? "repeat_2.4.branch1.1.bn.running_var" : "block8.conv2d.weight";
        var tensor = Tensor(weights, name);
        int index = tensor.Values.Length / 2;
        tensor.Values[index] = poison switch
        {
            Poison.NaN => float.NaN,
            Poison.PositiveInfinity => float.PositiveInfinity,
            Poison.NegativeInfinity => float.NegativeInfinity,
            _ => -0.25f,
        };
        var path = Write(weights, format);

        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith($"'{path}': tensor '{name}' holds "));
        Assert.That(e.Message, Does.Contain(poison switch
        {
            Poison.NaN => "NaN at index",
            Poison.PositiveInfinity => "+infinity at index",
            Poison.NegativeInfinity => "-infinity at index",
            _ => "a negative BatchNorm variance (-0.25 at index",
        }));
        // The same weights without the poison load: the refusal is about the value, not the file.
        tensor.Values[index] = poison == Poison.NegativeVariance ? 0.75f : 0.01f;
        var clean = Write(weights, format);
        Assert.That(WeightReader.Read(clean).Weights.Count, Is.EqualTo(weights.Count));
    }

    [Test]
    public void W10_a_zero_variance_is_accepted_since_batchnorm_adds_epsilon()
    {
        var weights = SyntheticWeights.Create(128, 3);
        Array.Clear(Tensor(weights, "repeat_1.0.branch0.bn.running_var").Values);
        Assert.That(WeightReader.Read(Write(weights, Format.Safetensors)).Weights.Count, Is.EqualTo(weights.Count));
    }

    [TestCase(false, "the same embedding for different images")]
    [TestCase(true, "all-zero embeddings")]
    public void W11_a_network_with_degenerate_output_is_refused_at_load(bool allZero, string why)
    {
        var weights = SyntheticWeights.Create(128, 4);
        // A zeroed bottleneck makes the output independent of the image; with a zero BatchNorm shift and mean it is zero.
        Array.Clear(Tensor(weights, "last_linear.weight").Values);
        if (allZero)
        {
            Array.Clear(Tensor(weights, "last_bn.bias").Values);
            Array.Clear(Tensor(weights, "last_bn.running_mean").Values);
        }
        var path = Write(weights, Format.Safetensors);
        Assert.That(WeightReader.Read(path).Weights.Count, Is.EqualTo(weights.Count), "every tensor on its own is plausible");

        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Is.EqualTo($"'{path}': the network gives {why} on a probe pass, so it cannot tell faces apart; the weights are degenerate or damaged: use intact trained weights"));
    }

    [Test]
    public void W11_the_probe_pass_costs_little_of_the_load_time()
    {
        var path = _temp.File("synthetic.safetensors");
        FaceNetWeights.WriteSynthetic(path, 128, 5);
        using (FaceNetModel.Load(path)) { } // first load pays the runtime's one-time start-up
        var load = Stopwatch.StartNew();
        using var model = FaceNetModel.Load(path);
        load.Stop();
        // The probe: one eager pass of two 80 x 80 images, timed alone on the loaded network.
        var generator = new TorchSharp.torch.Generator(1);
        using var probe = TorchSharp.torch.randn([2, 3, 80, 80], generator: generator);
        var pass = Stopwatch.StartNew();
        using (TorchSharp.torch.inference_mode())
        using (var output = model.Network.forward(probe)) { }
        pass.Stop();
        TestContext.Out.WriteLine($"FaceNetModel.Load of a 128-d safetensors file: {load.ElapsedMilliseconds} ms, of which the probe pass about {pass.ElapsedMilliseconds} ms");
        Assert.That(pass.Elapsed, Is.LessThan(load.Elapsed * 2), "the probe is one small pass, not a benchmark");
    }

    [Test]
    public void W12_a_flipped_byte_in_a_converted_files_tensor_data_is_refused_by_its_fingerprint()
    {
        var path = _temp.File("converted.safetensors");
        var fingerprint = FaceNetWeights.WriteSynthetic(path, 128, 6);
        using (var model = FaceNetModel.Load(path)) Assert.That(model.Fingerprint, Is.EqualTo(fingerprint));

        var bytes = File.ReadAllBytes(path);
        long dataStart = 8 + BitConverter.ToInt64(bytes, 0);
        int at = (int)(dataStart + (bytes.Length - dataStart) / 3);
        bytes[at] ^= 0x01; // the lowest mantissa bit of some weight: finite, plausible, and wrong
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith($"'{path}': its tensor data does not match its recorded fingerprint (facenet.fingerprint {fingerprint[..16]}..., the data gives "));
        Assert.That(e.Message, Does.EndWith("the file is corrupt or was modified; convert the original weights again"));
    }

    [Test]
    public void W12_a_file_without_a_recorded_fingerprint_loads_as_before()
    {
        var weights = SyntheticWeights.Create(128, 6);
        var path = Write(weights, Format.Safetensors);
        using var model = FaceNetModel.Load(path);
        Assert.That(model.Fingerprint, Is.EqualTo(weights.Fingerprint()));
        Assert.That(model.Metadata.ContainsKey(SafetensorsMetadata.Fingerprint), Is.False);
    }

    [Test]
    public void W13_a_header_listing_gigabytes_of_unrelated_tensors_loads_with_memory_bounded_by_the_network()
    {
        const int unrelated = 6;
        const long each = 1L << 30; // 6 GiB in all, never written: the file is sparse
        var weights = SyntheticWeights.Create(128, 7);
        var tensors = new List<SafetensorsTensor>();
        for (int i = 0; i < unrelated / 2; i++) tensors.Add(Unrelated($"optimizer.state.{i}", each));
        tensors.AddRange(weights.Tensors.Select(t => new SafetensorsTensor(t.Name, SafetensorsFile.Float32, t.Shape, s => s.Write(MemoryMarshal.AsBytes(t.Values.AsSpan())))));
        for (int i = unrelated / 2; i < unrelated; i++) tensors.Add(Unrelated($"optimizer.state.{i}", each));
        var path = _temp.File("bloated.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            SafetensorsFile.Write(stream, tensors, new Dictionary<string, string>());
            stream.SetLength(stream.Position);
        }
        long networkBytes = weights.ElementCount * sizeof(float);
        long fileBytes = new FileInfo(path).Length;
        Assert.That(fileBytes, Is.GreaterThan(unrelated * each));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long rssBefore = Rss("VmRSS");
        bool peakReset = TryResetPeakRss();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var loaded = WeightReader.Read(path);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long peak = peakReset ? Rss("VmHWM") : -1;

        Assert.That(loaded.Weights.Count, Is.EqualTo(weights.Count));
        Assert.That(loaded.Weights.Fingerprint(), Is.EqualTo(weights.Fingerprint()), "the network's tensors are read, the others skipped");
        TestContext.Out.WriteLine($"file {fileBytes / 1e9:F2} GB (header lists {unrelated} GiB of unrelated tensors), network {networkBytes / 1e6:F1} MB: " +
            $"managed bytes allocated while reading {allocated / 1e6:F1} MB; RSS before {rssBefore / 1e6:F0} MB, " +
            (peakReset ? $"peak RSS while reading {peak / 1e6:F0} MB (+{(peak - rssBefore) / 1e6:F0} MB)" : "peak RSS not measurable here"));
        Assert.That(allocated, Is.LessThan(networkBytes + (64L << 20)), "only the network's tensors are allocated");
        if (peakReset) Assert.That(peak - rssBefore, Is.LessThan(3 * networkBytes), "peak RSS bounded by the network's size");

        var info = FaceNetWeights.Inspect(path);
        Assert.That(info.TensorCount, Is.EqualTo(weights.Count + unrelated), "inspect reads the header only");
        Assert.That(info.ParameterCount, Is.EqualTo(weights.ElementCount + unrelated * each));
    }

    [Test]
    public void W13_a_pt_view_with_huge_strides_is_refused_before_reading_its_storage()
    {
        // Two elements 1,000,000 apart in a storage of 1,000,001: reading the view would mean reading the whole storage.
        const long storageElements = 1_000_001;
        var storage = new byte[storageElements * sizeof(float)];
        var specs = new List<TorchTensorSpec> { new("spread", "FloatStorage", [2], [1_000_000], storageElements, storage) };
        var path = _temp.File("spread.pt");
        TorchSaveWriter.WriteLegacy(path, specs);
        using var checkpoint = FaceNet.Net.Weights.Torch.TorchCheckpoint.Open(path);
        var e = Assert.Throws<WeightLoadException>(() => checkpoint.ReadValues(checkpoint.Entries.Single().Value))!;
        Assert.That(e.Message, Is.EqualTo($"'{path}' is not a PyTorch state dict this reader accepts: tensor of shape [2] is a strided view spanning 1000001 elements of storage 1000, far more than its 2; save the state dict with contiguous tensors."));
    }

    [Test]
    public void W14_an_h5_attribute_of_the_wrong_kind_is_refused_naming_the_file()
    {
        // layer_names as numbers: one of the attribute checks whose messages used to omit the file.
        var path = _temp.File("numbers.h5");
        var file = new PureHDF.H5File { ["dense"] = new PureHDF.H5Group() };
        file.Attributes["layer_names"] = new float[] { 1f, 2f };
        file.Write(path);
        var e = Assert.Throws<WeightLoadException>(() => WeightReader.Read(path))!;
        Assert.That(e.Message, Is.EqualTo($"'{path}': attribute 'layer_names' is not a string list (HDF5 class FloatingPoint)"));
    }

    /// <summary>A U8 tensor whose bytes are skipped (the stream's position moves; nothing is written).</summary>
    private static SafetensorsTensor Unrelated(string name, long bytes) =>
        new(name, "U8", [bytes], s => s.Seek(bytes, SeekOrigin.Current));

    /// <summary>Resets the kernel's peak-RSS counter of this process (Linux: clear_refs 5).</summary>
    private static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A /proc/self/status memory field in bytes, or -1 off Linux.</summary>
    private static long Rss(string field)
    {
        if (!File.Exists("/proc/self/status")) return -1;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
