using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FaceNet.Net.Weights;

/// <summary>
/// Reads and writes safetensors: an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to <c>{"dtype","shape","data_offsets"}</c> plus an optional <c>__metadata__</c> string map, then the
/// raw little-endian data. Only F32 tensors are accepted. Headers are validated strictly (offsets in range,
/// no overlap, sizes consistent with shapes) before anything large is allocated.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Largest header accepted (the full network's header is about 60 KB).</summary>
    public const long MaxHeaderBytes = 16 * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>Whether the first bytes look like safetensors: a plausible header length followed by '{'.</summary>
    public static bool LooksLikeSafetensors(ReadOnlySpan<byte> head, long fileLength)
    {
        if (head.Length < 9) return false;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(head);
        // A header longer than the file still counts: the reader then reports the file as truncated.
        return n >= 2 && n <= MaxHeaderBytes && head[8] == (byte)'{';
    }

    /// <summary>Writes the tensors (ordinal name order) and metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, WeightSet weights, IReadOnlyDictionary<string, string> metadata, Action<double>? progress = null)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(k, v);
            json.WriteEndObject();
            long offset = 0;
            foreach (var t in weights.Tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += t.Values.LongLength * 4;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned.
        while ((buffer.Length + 8) % 8 != 0) buffer.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)buffer.Length);
        stream.Write(length);
        buffer.Position = 0;
        buffer.CopyTo(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        int done = 0;
        foreach (var t in weights.Tensors)
        {
            stream.Write(MemoryMarshal.AsBytes(t.Values.AsSpan()));
            progress?.Invoke(++done / (double)weights.Count);
        }
    }

    /// <summary>Reads every tensor and the metadata.</summary>
    /// <exception cref="WeightLoadException">The file is not valid safetensors or holds something other than F32 tensors.</exception>
    public static (WeightSet Weights, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return Read(stream, path);
        }
        catch (Exception e) when (e is not (WeightLoadException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException))
        {
            throw new WeightLoadException($"'{path}' could not be read as safetensors: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static (WeightSet, IReadOnlyDictionary<string, string>) Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength == 0) throw new WeightLoadException($"'{path}' is empty");
        if (fileLength < 8) throw new WeightLoadException($"'{path}' is truncated: {fileLength} bytes, a safetensors file starts with an 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new WeightLoadException($"'{path}' is truncated or corrupt: its header claims {headerLength} bytes, the file has {fileLength - 8} after the length");
        if (headerLength > MaxHeaderBytes)
            throw new WeightLoadException($"'{path}': safetensors header of {headerLength} bytes exceeds the {MaxHeaderBytes}-byte limit");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        var entries = ParseHeader(header, dataLength, path, out var metadata);

        var weights = new WeightSet();
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            var values = new float[e.Count];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            weights.Add(new TensorData(e.Name, e.Shape, values));
        }
        return (weights, metadata);
    }

    private sealed record Entry(string Name, long[] Shape, long Count, long Begin, long End);

    private static List<Entry> ParseHeader(byte[] header, long dataLength, string path, out Dictionary<string, string> metadata)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new WeightLoadException($"'{path}': the safetensors header is not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Bad(path, "the header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(path, $"tensor '{property.Name}' appears twice");
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(property, dataLength, path));
            }
            long previousEnd = 0;
            string? previous = null;
            foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (e.Begin < previousEnd) throw Bad(path, $"tensors '{previous}' and '{e.Name}' overlap");
                previousEnd = e.End;
                previous = e.Name;
            }
            return entries;
        }
    }

    private static Entry ParseEntry(JsonProperty property, long dataLength, string path)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}' is not described by an object");
        if (!v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String) throw Bad(path, $"tensor '{name}' has no dtype");
        if (dtype.GetString() != "F32") throw Bad(path, $"tensor '{name}' has dtype {dtype.GetString()}, expected F32");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) throw Bad(path, $"tensor '{name}' has no shape");
        if (shapeElement.GetArrayLength() > 8) throw Bad(path, $"tensor '{name}' has rank {shapeElement.GetArrayLength()}");
        var shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0) throw Bad(path, $"tensor '{name}' has an invalid shape");
            shape[i++] = n;
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' has no [begin, end] data_offsets");
        var pair = offsets.EnumerateArray().ToArray();
        if (pair[0].ValueKind != JsonValueKind.Number || pair[1].ValueKind != JsonValueKind.Number
            || !pair[0].TryGetInt64(out var begin) || !pair[1].TryGetInt64(out var end))
            throw Bad(path, $"tensor '{name}' has non-integer data_offsets");
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad(path, $"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength}-byte data section (truncated file?)");
        long count = Shapes.ElementCount(shape, int.MaxValue / 4);
        if (count < 0 || count * 4 != end - begin)
            throw Bad(path, $"tensor '{name}' with shape {Shapes.Format(shape)} needs {(count < 0 ? "too many" : (count * 4).ToString())} bytes but data_offsets span {end - begin}");
        return new Entry(name, shape, count, begin, end);
    }

    private static WeightLoadException Bad(string path, string what) => new($"'{path}' is not a valid safetensors file: {what}");
}
