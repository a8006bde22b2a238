using FaceNet.Net.Detection;
using FaceNet.Net.Model;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// The PyTorch <c>.pt</c> rows of docs/errors.md (each test name starts with its row id): hostile pickles are refused
/// without executing or allocating anything large, and every damaged file is a <see cref="WeightLoadException"/>
/// naming the file.
/// </summary>
public class TorchWeightErrorTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder();

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static string Prefix(string path) => $"'{path}' is not a PyTorch state dict this reader accepts: ";

    /// <summary>A small state dict: a few float tensors of several layouts and a BatchNorm counter.</summary>
    private static List<TorchTensorSpec> SmallStateDict() =>
    [
        TorchTensorSpec.Float("conv1.weight", [2, 1, 3, 3], Enumerable.Range(0, 18).Select(i => i * 0.5f).ToArray()),
        TorchTensorSpec.Float("conv1.bias", [2], [1f, -1f]),
        TorchTensorSpec.Int64Scalar("bn.num_batches_tracked", 7),
        TorchTensorSpec.Float("dense.weight", [3, 4], Enumerable.Range(0, 12).Select(i => -i * 0.25f).ToArray()),
    ];

    private string WriteLegacy(string name, params byte[][] pickles)
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, [.. TorchSaveWriter.LegacyHeader(), .. pickles.SelectMany(p => p)]);
        return path;
    }

    [Test]
    public void W01_a_pickle_calling_os_system_is_refused_and_nothing_runs()
    {
        var marker = _temp.File("pwned");
        var evil = new Pickle().Proto().Global("os", "system").Str($"touch {marker}").Op(0x85).Op(0x52).Stop().ToArray();
        var legacy = WriteLegacy("evil.pt", evil);
        var zip = _temp.File("evil-zip.pt");
        TorchSaveWriter.WriteZipEntries(zip, "archive", evil, []);

        foreach (var path in new[] { legacy, zip })
        {
            var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose());
            Assert.That(e!.Message, Is.EqualTo(Prefix(path) + "its pickle refers to os.system, which a state dict never does (only tensors, " +
                "containers and torch's tensor classes are allowed); refused, nothing was executed."));
        }
        // MTCNN's loader goes through the same reader.
        var mtcnn = Assert.Throws<FaceDetectionException>(() => MtcnnWeights.Read(legacy));
        Assert.That(mtcnn!.InnerException, Is.TypeOf<WeightLoadException>());
        Assert.That(mtcnn.Message, Does.Contain(legacy).And.Contain("os.system"));
        Assert.That(File.Exists(marker), Is.False, "the command in the pickle must never run");
    }

    [Test]
    public void W02_builtins_eval_through_STACK_GLOBAL_of_protocol_4_is_refused()
    {
        var marker = _temp.File("pwned");
        var evil = new Pickle().Proto(4).Str("builtins").Str("eval").Op(0x93)
            .Str($"__import__('os').system('touch {marker}')").Op(0x85).Op(0x52).Stop().ToArray();
        var path = WriteLegacy("eval.pt", evil);
        var e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(path));
        Assert.That(e!.Message, Does.StartWith(Prefix(path) + "its pickle refers to builtins.eval,"));
        Assert.That(File.Exists(marker), Is.False);
    }

    [Test]
    public void W03_a_storage_larger_than_the_file_is_refused_before_allocating()
    {
        var specs = SmallStateDict();
        specs[0] = specs[0] with { StorageElements = 1L << 40 };
        var path = _temp.File("huge-storage.pt");
        TorchSaveWriter.WriteLegacy(path, specs);
        long length = new FileInfo(path).Length;
        var e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(path));
        Assert.That(e!.Message, Is.EqualTo(Prefix(path) + $"storage 1000 declares {1L << 40} elements of 4 bytes, more than the file's {length} bytes can hold."));

        // A shape larger than its (honest) storage is refused too.
        specs = SmallStateDict();
        specs[1] = specs[1] with { Shape = [1 << 30] };
        TorchSaveWriter.WriteLegacy(path, specs);
        e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(path));
        Assert.That(e!.Message, Does.Contain("has more elements than its storage (2)"));
    }

    [Test]
    public void W04_memo_abuse_is_refused()
    {
        var get = WriteLegacy("memo-get.pt", new Pickle().Proto().Op(0x6a).UInt32(0xFFFFFFF0).Stop().ToArray());
        var e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(get));
        Assert.That(e!.Message, Is.EqualTo(Prefix(get) + "the pickle recalls memo entry 4294967280, which was never stored."));

        var puts = new Pickle().Proto().Op(0x4e);
        for (uint i = 0; i <= 1 << 20; i++) puts.Op(0x72).UInt32(i * 4099);
        var many = WriteLegacy("memo-many.pt", puts.Stop().ToArray());
        e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(many));
        Assert.That(e!.Message, Is.EqualTo(Prefix(many) + "the pickle memoizes more than 1048576 values."));
    }

    [Test]
    public void W05_deep_nesting_and_a_huge_stack_are_refused()
    {
        var marks = new Pickle().Proto();
        for (int i = 0; i < 100_000; i++) marks.Mark();
        var deep = WriteLegacy("deep.pt", marks.Stop().ToArray());
        var e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(deep));
        Assert.That(e!.Message, Is.EqualTo(Prefix(deep) + "the pickle nests deeper than 64 levels."));

        var nones = new Pickle().Proto();
        for (int i = 0; i <= 1 << 20; i++) nones.Op(0x4e);
        var wide = WriteLegacy("wide.pt", nones.Stop().ToArray());
        e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(wide));
        Assert.That(e!.Message, Is.EqualTo(Prefix(wide) + "the pickle stack grows past 1048576 values."));

        // Lists nested a million deep build no recursion: refused only because they are not a state dict.
        var lists = new Pickle().Proto().Op(0x5d);
        for (int i = 0; i < 1_000_000; i++) lists.Op(0x5d).Op(0x61); // [[[...]]] through APPEND
        var nested = WriteLegacy("nested.pt", lists.Stop().ToArray());
        e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(nested));
        Assert.That(e!.Message, Does.Contain("not a state dict"));

        // A string claiming 2 GB in a small file.
        var longString = WriteLegacy("long-string.pt", new Pickle().Proto().Op(0x58).UInt32(0x7FFFFFFF).Raw("abc"u8).Stop().ToArray());
        e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(longString));
        Assert.That(e!.Message, Does.Contain("the file ends inside a pickle (truncated?): a length of 2147483647 bytes"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void W06_every_truncation_is_a_clear_error(bool zip)
    {
        var full = _temp.File(zip ? "full-zip.pt" : "full.pt");
        if (zip) TorchSaveWriter.WriteZip(full, SmallStateDict());
        else TorchSaveWriter.WriteLegacy(full, SmallStateDict());
        Assert.That(FaceNetWeights.Inspect(full).TensorCount, Is.EqualTo(4), "the whole file is fine");
        var bytes = File.ReadAllBytes(full);
        var cut = _temp.File("cut.pt");
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        for (int length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<WeightLoadException>(() => FaceNetWeights.Inspect(cut), $"cut at {length} of {bytes.Length}");
            Assert.That(e!.Message, Does.Contain(cut), $"cut at {length}");
            reasons.Add(e.Message.Replace(cut, "<path>")[..Math.Min(70, e.Message.Replace(cut, "<path>").Length)]);
        }
        TestContext.Out.WriteLine($"{bytes.Length} cuts, messages begin:\n  " + string.Join("\n  ", reasons));
    }

    [Test]
    public void W07_a_pt_file_of_another_network_lists_what_does_not_fit()
    {
        var path = _temp.File("mtcnn-like.pt");
        TorchSaveWriter.WriteLegacy(path, SmallStateDict());
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose());
        Assert.That(e!.Message, Does.StartWith($"'{path}': its weights do not fit the 128-d Inception-ResNet-v1 (PyTorch torch.save, legacy (non-zip) format): "));
        Assert.That(e.Message, Does.EndWith(" — no name matches: this is not a facenet-pytorch InceptionResnetV1 state dict"));
        Assert.That(e.Unexpected, Is.EquivalentTo(new[] { "conv1.weight", "conv1.bias", "dense.weight" }), "the counter is skipped, not unexpected");
    }

    [Test]
    public void W08_a_zip_that_is_not_a_torch_file()
    {
        var path = _temp.File("photos.pt");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
            using (var s = zip.CreateEntry("model.weights.h5").Open()) s.Write(new byte[100]);
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose());
        Assert.That(e!.Message, Is.EqualTo(Prefix(path) + "it is a zip archive without a <name>/data.pkl entry, so not a zip-format torch.save file."));
    }

    [Test]
    public void W09_a_checkpoint_that_is_not_a_bare_state_dict()
    {
        // {'epoch': 3} — a training checkpoint rather than torch.save(model.state_dict()).
        var pickle = new Pickle().Proto().Op(0x7d).Str("epoch").Op(0x4b).Byte(3).Op(0x73).Stop().ToArray();
        var path = WriteLegacy("checkpoint.pt", pickle);
        var e = Assert.Throws<WeightLoadException>(() => FaceNetModel.Load(path).Dispose());
        Assert.That(e!.Message, Is.EqualTo(Prefix(path) + "entry 'epoch' is of type int, not a tensor (expected torch.save(model.state_dict()))."));
    }
}
