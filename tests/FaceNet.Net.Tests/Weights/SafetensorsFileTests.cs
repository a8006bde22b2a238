using System.Buffers.Binary;
using System.Text;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>The safetensors writer's layout, and strict validation of headers by the reader.</summary>
public class SafetensorsFileTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void Create() => _temp = new TempFolder();

    [TearDown]
    public void Cleanup() => _temp.Dispose();

    [Test]
    public void Round_trip_keeps_names_shapes_values_and_metadata()
    {
        var path = _temp.File("small.safetensors");
        SmallFiles.WriteSmallSafetensors(path);
        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Multiple(() =>
        {
            Assert.That((8 + (long)headerLength) % 8, Is.EqualTo(0), "data starts 8-byte aligned");
            Assert.That(bytes[8], Is.EqualTo((byte)'{'));
            Assert.That(bytes.Length, Is.EqualTo(8 + (long)headerLength + (12 + 5 + 1) * 4));
        });
        var (weights, metadata) = SafetensorsFile.Read(path);
        Assert.That(weights.Tensors.Select(t => t.Name), Is.EqualTo(new[] { "a.weight", "b.bias", "c.scalar" }));
        Assert.That(weights.TryGet("a.weight", out var a), Is.True);
        Assert.That(a.Shape, Is.EqualTo(new long[] { 4, 3 }));
        Assert.That(weights.TryGet("c.scalar", out var c), Is.True);
        Assert.That(c.Shape, Is.Empty);
        Assert.That(c.Values, Is.EqualTo(new[] { 1.5f }));
        Assert.That(metadata["facenet.embedding_size"], Is.EqualTo("128"));
    }

    private static readonly (string Header, int DataBytes, string Expect)[] BadHeaders =
    [
        ("""{"t":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""", 4, "dtype F16, expected F32"),
        ("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}""", 12, "needs 8 bytes but data_offsets span 12"),
        ("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "outside the 4-byte data section"),
        ("""{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "outside"),
        ("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlap"),
        ("""{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "invalid shape"),
        ("""{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}""", 4, "too many"),
        ("""{"t":{"dtype":"F32","shape":[1]}}""", 4, "data_offsets"),
        ("""{"__metadata__":{"k":1}}""", 0, "metadata 'k' is not a string"),
        ("""[1,2]""", 0, "not a JSON object"),
        ("""{"t":""", 0, "not valid JSON"),
    ];

    [TestCaseSource(nameof(BadHeaders))]
    public void Invalid_headers_are_rejected_with_a_clear_message((string Header, int DataBytes, string Expect) bad)
    {
        var path = _temp.File("bad.safetensors");
        var header = Encoding.UTF8.GetBytes(bad.Header);
        var bytes = new byte[8 + header.Length + bad.DataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<WeightLoadException>(() => SafetensorsFile.Read(path));
        Assert.That(e!.Message, Does.Contain(bad.Expect));
    }

    [Test]
    public void A_header_length_beyond_the_file_is_rejected_before_allocating()
    {
        var path = _temp.File("huge.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<WeightLoadException>(() => SafetensorsFile.Read(path));
        Assert.That(e!.Message, Does.Contain("truncated or corrupt"));
    }

    [Test]
    public void Tensors_of_any_dtype_round_trip_through_the_one_reader()
    {
        var path = _temp.File("mixed.safetensors");
        long[] longs = [1, -2, 3];
        byte[] bytes = [0, 7, 255];
        SafetensorsFile.Write(path,
        [
            new SafetensorsTensor("n", "I64", [3], s => s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(longs.AsSpan()))),
            new SafetensorsTensor("b", "U8", [3], s => s.Write(bytes)),
            new SafetensorsTensor("empty", "F32", [0, 4], _ => { }),
        ], new Dictionary<string, string> { ["k"] = "v" });

        using var reader = SafetensorsReader.Open(path);
        Assert.That(reader.Entries.Select(e => (e.Name, e.DType, e.Begin, e.End)),
            Is.EqualTo(new[] { ("n", "I64", 0L, 24L), ("b", "U8", 24L, 27L), ("empty", "F32", 27L, 27L) }));
        Assert.That(reader.Metadata["k"], Is.EqualTo("v"));
        var read = new long[3];
        reader.Read(reader.Entries[0], System.Runtime.InteropServices.MemoryMarshal.AsBytes(read.AsSpan()));
        Assert.That(read, Is.EqualTo(longs));
        var readBytes = new byte[3];
        reader.Read(reader.Entries[1], readBytes);
        Assert.That(readBytes, Is.EqualTo(bytes));

        var e = Assert.Throws<WeightLoadException>(() => SafetensorsFile.Read(path));
        Assert.That(e!.Message, Is.EqualTo($"'{path}' is not a valid safetensors file: tensor 'n' has dtype I64, expected F32"));
    }

    [Test]
    public void A_failed_write_leaves_the_previous_file_and_no_temporary_file()
    {
        var path = _temp.File("kept.safetensors");
        SmallFiles.WriteSmallSafetensors(path);
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => SafetensorsFile.Write(path,
            [new SafetensorsTensor("x", "F32", [1], _ => throw new InvalidOperationException("disk gone"))], new Dictionary<string, string>()));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(_temp.Files(), Is.EqualTo(new[] { "kept.safetensors" }));
    }

    [Test]
    public void A_tensor_that_writes_another_length_than_its_shape_needs_is_refused()
    {
        var path = _temp.File("short.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path,
            [new SafetensorsTensor("x", "F32", [2], s => s.Write(new byte[4]))], new Dictionary<string, string>()));
        Assert.That(e!.Message, Does.Contain("tensor 'x' wrote 4 bytes, its shape needs 8"));
        Assert.That(_temp.Files(), Is.Empty);
    }

    [TestCase("", "F32")]
    [TestCase("__metadata__", "F32")]
    [TestCase("x", "F7")]
    public void Invalid_names_and_dtypes_are_refused_when_writing(string name, string dtype)
    {
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(_temp.File("bad.safetensors"),
            [new SafetensorsTensor(name, dtype, [1], s => s.Write(new byte[4]))], new Dictionary<string, string>()));
        Assert.That(_temp.Files(), Is.Empty);
    }
}
