using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>One tensor to write: its storage class (<c>FloatStorage</c>, <c>LongStorage</c>, ...), shape, strides and raw storage bytes.</summary>
internal sealed record TorchTensorSpec(string Name, string StorageClass, long[] Shape, long[] Stride, long StorageElements, byte[] StorageBytes, long Offset = 0)
{
    /// <summary>A contiguous float32 tensor.</summary>
    public static TorchTensorSpec Float(string name, long[] shape, float[] values) =>
        new(name, "FloatStorage", shape, RowMajor(shape), values.Length, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>An int64 scalar, as BatchNorm's <c>num_batches_tracked</c>.</summary>
    public static TorchTensorSpec Int64Scalar(string name, long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return new(name, "LongStorage", [], [], 1, bytes);
    }

    /// <summary>Row-major strides of <paramref name="shape"/>.</summary>
    public static long[] RowMajor(long[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }
}

/// <summary>
/// Writes state dicts the way <c>torch.save</c> lays them out, in C# (no Python at test time): the legacy format
/// (magic, protocol, system info, the <c>OrderedDict</c> pickle with <c>_metadata</c> and storages as persistent
/// ids, the key list, then each storage as an int64 count and its bytes) and the zip format
/// (<c>archive/data.pkl</c>, <c>archive/data/&lt;key&gt;</c>, <c>archive/version</c>, <c>archive/byteorder</c>).
/// Also builds raw pickles for the hostile-input tests.
/// </summary>
internal static class TorchSaveWriter
{
    /// <summary>The specs of a weight set, in name order, with a BatchNorm counter after each BatchNorm and an optional classifier head.</summary>
    public static List<TorchTensorSpec> FaceNetStateDict(WeightSet weights, int logitsClasses = 0, int seed = 1, bool dropGammas = false)
    {
        var specs = new List<TorchTensorSpec>();
        foreach (var t in weights.Tensors)
        {
            bool gamma = t.Name.EndsWith(".bn.weight", StringComparison.Ordinal) || t.Name == "last_bn.weight";
            if (!(dropGammas && gamma)) specs.Add(TorchTensorSpec.Float(t.Name, t.Shape, t.Values));
            if (t.Name.EndsWith("running_var", StringComparison.Ordinal))
                specs.Add(TorchTensorSpec.Int64Scalar(t.Name[..^"running_var".Length] + "num_batches_tracked", 12345));
        }
        if (logitsClasses > 0)
        {
            int d = (int)weights.Tensors.Single(t => t.Name == "last_linear.weight").Shape[0];
            var random = new Random(seed);
            specs.Add(TorchTensorSpec.Float("logits.weight", [logitsClasses, d], Enumerable.Range(0, logitsClasses * d).Select(_ => (float)random.NextDouble()).ToArray()));
            specs.Add(TorchTensorSpec.Float("logits.bias", [logitsClasses], new float[logitsClasses]));
        }
        return specs;
    }

    /// <summary>Writes <paramref name="tensors"/> in the legacy (non-zip) format.</summary>
    public static void WriteLegacy(string path, IReadOnlyList<TorchTensorSpec> tensors)
    {
        using var file = File.Create(path);
        file.Write(LegacyHeader());
        file.Write(StateDictPickle(tensors, legacy: true));
        var keys = Enumerable.Range(0, tensors.Count).Select(Key).ToList();
        var list = new Pickle().Proto().Op(0x5d).Mark();
        foreach (var k in keys) list.Str(k);
        file.Write(list.Op(0x65).Stop().ToArray());
        for (int i = 0; i < tensors.Count; i++)
        {
            var count = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(count, tensors[i].StorageElements);
            file.Write(count);
            file.Write(tensors[i].StorageBytes);
        }
    }

    /// <summary>Writes <paramref name="tensors"/> in the zip format (entries stored, uncompressed, as torch writes them).</summary>
    public static void WriteZip(string path, IReadOnlyList<TorchTensorSpec> tensors, string folder = "archive") =>
        WriteZipEntries(path, folder, StateDictPickle(tensors, legacy: false), tensors.Select((t, i) => (Key(i), t.StorageBytes)).ToList());

    /// <summary>Writes a zip-format file with a given <c>data.pkl</c> and storage entries.</summary>
    public static void WriteZipEntries(string path, string folder, byte[] dataPkl, IReadOnlyList<(string Key, byte[] Bytes)> storages)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes)
        {
            using var s = zip.CreateEntry($"{folder}/{name}", CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
        Add("data.pkl", dataPkl);
        Add("byteorder", "little"u8.ToArray());
        foreach (var (key, bytes) in storages) Add("data/" + key, bytes);
        Add("version", "3\n"u8.ToArray());
    }

    /// <summary>The three pickles before the state dict in the legacy format: magic number, protocol version, system info.</summary>
    public static byte[] LegacyHeader()
    {
        var magic = new Pickle().Proto().Op(0x8a).Byte(10).Raw([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]).Stop();
        var protocol = new Pickle().Proto().Op(0x4d).UInt16(1001).Stop();
        var sysInfo = new Pickle().Proto().Op(0x7d).Mark().Str("protocol_version").Op(0x4d).UInt16(1001)
            .Str("little_endian").Op(0x88).Op(0x75).Stop();
        return [.. magic.ToArray(), .. protocol.ToArray(), .. sysInfo.ToArray()];
    }

    /// <summary>The state-dict pickle as torch writes it: an OrderedDict of rebuilt tensors, then its <c>_metadata</c> through BUILD.</summary>
    public static byte[] StateDictPickle(IReadOnlyList<TorchTensorSpec> tensors, bool legacy)
    {
        var p = new Pickle().Proto().Global("collections", "OrderedDict").Op(0x29).Op(0x52).Mark();
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            p.Str(t.Name).Global("torch._utils", "_rebuild_tensor_v2").Mark()
                .Mark().Str("storage").Global("torch", t.StorageClass).Str(Key(i)).Str("cpu").Int(t.StorageElements);
            if (legacy) p.Op(0x4e);
            p.Op(0x74).Op(0x51)                                   // TUPLE, BINPERSID
                .Int(t.Offset).Tuple(t.Shape).Tuple(t.Stride).Op(0x89)
                .Global("collections", "OrderedDict").Op(0x29).Op(0x52)
                .Op(0x74).Op(0x52);                                // args TUPLE, REDUCE
        }
        p.Op(0x75);                                                // SETITEMS
        // state = {'_metadata': OrderedDict([('', {'version': 1})])}
        p.Op(0x7d).Str("_metadata").Global("collections", "OrderedDict").Op(0x29).Op(0x52)
            .Str("").Op(0x7d).Str("version").Int(1).Op(0x73).Op(0x73)
            .Op(0x73).Op(0x62).Stop();                            // SETITEM, BUILD
        return p.ToArray();
    }

    private static string Key(int i) => (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A pickle byte builder (protocol 2 opcodes), for writing state dicts and hand-made hostile pickles.</summary>
internal sealed class Pickle
{
    private readonly MemoryStream _bytes = new();

    /// <summary>PROTO <paramref name="version"/>.</summary>
    public Pickle Proto(byte version = 2) => Op(0x80).Byte(version);

    /// <summary>One opcode (or any byte).</summary>
    public Pickle Op(byte op) => Byte(op);

    /// <summary>One byte.</summary>
    public Pickle Byte(byte b)
    {
        _bytes.WriteByte(b);
        return this;
    }

    /// <summary>Raw bytes.</summary>
    public Pickle Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    /// <summary>A little-endian uint16.</summary>
    public Pickle UInt16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return Raw(b);
    }

    /// <summary>A little-endian uint32.</summary>
    public Pickle UInt32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return Raw(b);
    }

    /// <summary>MARK.</summary>
    public Pickle Mark() => Op(0x28);

    /// <summary>STOP.</summary>
    public Pickle Stop() => Op(0x2e);

    /// <summary>BINUNICODE.</summary>
    public Pickle Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        return Op(0x58).UInt32((uint)utf8.Length).Raw(utf8);
    }

    /// <summary>GLOBAL 'module name'.</summary>
    public Pickle Global(string module, string name) => Op(0x63).Raw(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));

    /// <summary>An integer: BININT for 32-bit values, LONG1 otherwise.</summary>
    public Pickle Int(long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op(0x4a).Raw(b);
        }
        Span<byte> l = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        return Op(0x8a).Byte(8).Raw(l);
    }

    /// <summary>A tuple of integers.</summary>
    public Pickle Tuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Op(0x74);
    }

    /// <summary>The bytes so far.</summary>
    public byte[] ToArray() => _bytes.ToArray();
}
