using FaceNet.Net.Training;
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
    public void Corrupt_files_are_rejected_with_a_clear_exception()
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<FaceNetException>().With.Message.Contains("shorter than"));
        File.WriteAllBytes(path, BitConverter.GetBytes(4L).Concat("{no}"u8.ToArray()).ToArray());
        Assert.That(() => TrainingCheckpoint.Read(path), Throws.InstanceOf<FaceNetException>().With.Message.Contains("malformed"));
        Assert.That(() => TrainingCheckpoint.Read(Path.Combine(_dir, "none")), Throws.InstanceOf<FileNotFoundException>());
    }
}
