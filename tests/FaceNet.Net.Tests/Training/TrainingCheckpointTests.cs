using FaceNet.Net.Training;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Training;

public class TrainingCheckpointTests
{
    private string _dir = "";

    [SetUp]
    public void Init()
    {
        FaceNetRuntime.EnsureInitialized();
        _dir = Directory.CreateTempSubdirectory("facenet-ckpt-").FullName;
    }

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Tensors_and_metadata_round_trip_exactly_and_nothing_temporary_is_left()
    {
        var path = Path.Combine(_dir, "sub", "a.safetensors");
        using var f = randn(3, 4);
        using var l = tensor(new long[] { 1, -2, 3 });
        using var u = tensor(new byte[] { 0, 7, 255 });
        using var s = tensor(2.5);
        TrainingCheckpoint.Write(path, new Dictionary<string, Tensor> { ["w.float"] = f, ["n.long"] = l, ["bytes"] = u, ["scalar"] = s },
            new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "héllo" });
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.EqualTo(new[] { path }), "only the final file remains");

        using var c = TrainingCheckpoint.Read(path);
        Assert.That(c.Metadata["epoch"], Is.EqualTo("3"));
        Assert.That(c.Metadata["note"], Is.EqualTo("héllo"));
        Assert.That(c.Tensors["w.float"].eq(f).all().item<bool>(), Is.True);
        Assert.That(c.Tensors["n.long"].data<long>().ToArray(), Is.EqualTo(new long[] { 1, -2, 3 }));
        Assert.That(c.Tensors["bytes"].data<byte>().ToArray(), Is.EqualTo(new byte[] { 0, 7, 255 }));
        Assert.That(c.Tensors["scalar"].shape, Is.Empty);
        Assert.That(c.Tensors["scalar"].item<double>(), Is.EqualTo(2.5));
    }

    [Test]
    public void The_file_follows_the_safetensors_layout()
    {
        var path = Path.Combine(_dir, "b.safetensors");
        using var t = tensor(new float[] { 1, 2 });
        TrainingCheckpoint.Write(path, new Dictionary<string, Tensor> { ["x"] = t }, new Dictionary<string, string>());
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.That(header, Does.Contain("\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"));
        Assert.That(bytes.Length, Is.EqualTo(8 + n + 8));
        Assert.That(BitConverter.ToSingle(bytes, (int)(8 + n + 4)), Is.EqualTo(2f));
    }

    [Test]
    public void Corrupt_files_are_rejected_with_the_shared_safetensors_messages_naming_the_file()
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<WeightLoadException>()
            .With.Message.EqualTo($"'{path}' is truncated: 3 bytes, a safetensors file starts with an 8-byte header length"));
        File.WriteAllBytes(path, BitConverter.GetBytes(4L).Concat("{no}"u8.ToArray()).ToArray());
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<WeightLoadException>()
            .With.Message.StartsWith($"'{path}': the safetensors header is not valid JSON"));
        Assert.That(() => TrainingCheckpoint.Read(Path.Combine(_dir, "none")), Throws.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void A_header_that_claims_more_bytes_than_the_file_has_is_refused_before_allocating()
    {
        var path = Path.Combine(_dir, "lying.safetensors");
        var bytes = new byte[64];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), ulong.MaxValue / 2);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(path, bytes);
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<WeightLoadException>()
            .With.Message.StartsWith($"'{path}' is truncated or corrupt: its header claims {ulong.MaxValue / 2} bytes, the file has 56"));
    }

    [Test]
    public void A_truncated_checkpoint_names_the_tensor_whose_data_is_cut_off()
    {
        var path = Path.Combine(_dir, "cut.safetensors");
        using var t = tensor(new long[] { 1, 2, 3, 4 });
        TrainingCheckpoint.Write(path, new Dictionary<string, Tensor> { ["n"] = t }, new Dictionary<string, string>());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^8]);
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<WeightLoadException>()
            .With.Message.EqualTo($"'{path}' is not a valid safetensors file: tensor 'n' has data_offsets [0, 32] outside the 24-byte data section (truncated file?)"));
    }

    [Test]
    public void A_dtype_a_checkpoint_cannot_hold_is_refused_by_name()
    {
        var path = Path.Combine(_dir, "u16.safetensors");
        var header = """{"x":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}}"""u8.ToArray();
        File.WriteAllBytes(path, BitConverter.GetBytes((long)header.Length).Concat(header).Concat(new byte[4]).ToArray());
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<WeightLoadException>()
            .With.Message.EqualTo($"'{path}' is not a valid safetensors file: tensor 'x' has dtype U16, which a checkpoint cannot hold"));
    }

    [Test]
    public void A_checkpoint_that_does_not_fit_the_model_lists_every_mismatch_with_the_file()
    {
        var path = Path.Combine(_dir, "other.safetensors");
        manual_seed(1);
        using var small = new CompactEmbeddingNetwork(embeddingSize: 8, width: 4, inputSize: 16);
        using var large = new CompactEmbeddingNetwork(embeddingSize: 16, width: 4, inputSize: 16);
        var state = small.state_dict().ToDictionary(p => "model." + p.Key, p => p.Value);
        var dropped = state.Keys.First(k => k != "model.head.weight" && k != "model.head.bias");
        state.Remove(dropped);
        using var stray = zeros(3);
        state["model.stray"] = stray;
        TrainingCheckpoint.Write(path, state, new Dictionary<string, string> { [TrainingCheckpoint.FormatKey] = TrainingCheckpoint.FormatTag });

        var e = Assert.Throws<WeightLoadException>(() => EmbeddingTrainer.LoadModelWeights(large, path))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Message, Does.StartWith($"'{path}': its weights do not fit the model: 1 missing ({dropped["model.".Length..]}); 1 unexpected (stray); 2 mis-shaped"));
            Assert.That(e.Missing, Is.EqualTo(new[] { dropped["model.".Length..] }));
            Assert.That(e.Unexpected, Is.EqualTo(new[] { "stray" }));
            Assert.That(e.Misshaped, Is.EquivalentTo(new[] { "head.weight [8, 16], expected [16, 16]", "head.bias [8], expected [16]" }));
        });
    }
}
