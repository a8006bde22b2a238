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
}
