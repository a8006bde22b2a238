using System.Buffers.Binary;
using System.Text.Json;

namespace FaceNet.Net.Weights;

/// <summary>
/// An open safetensors file whose header has been read and validated: every tensor's dtype, shape and byte range
/// (in range, not overlapping, size consistent with shape and dtype), unique names, string-only metadata. The
/// header length is checked against the file size and <see cref="SafetensorsFile.MaxHeaderBytes"/> before it is
/// allocated, so a lying or truncated file fails with a message naming it instead of exhausting memory. The only
/// safetensors parser of the library: network weights, MTCNN weights and training checkpoints all read through it.
/// Not thread-safe; dispose to close the file.
/// </summary>
internal sealed class SafetensorsReader : IDisposable
{
    private readonly Stream _stream;
    private readonly long _dataStart;

    private SafetensorsReader(string path, Stream stream, long dataStart, IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _stream = stream;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file path as given.</summary>
    public string Path { get; }

    /// <summary>The tensors, in the order of their data in the file.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a file and validates its header.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not valid safetensors (the message names it and says what is wrong).</exception>
    public static SafetensorsReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var (dataStart, entries, metadata) = ReadHeader(stream, path);
            return new SafetensorsReader(path, stream, dataStart, entries, metadata);
        }
        catch (Exception e)
        {
            stream.Dispose();
            if (e is WeightLoadException) throw;
            throw Unreadable(path, e);
        }
    }

    /// <summary>Reads the bytes of <paramref name="entry"/> (one of <see cref="Entries"/>) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly the entry's length.</exception>
    /// <exception cref="WeightLoadException">The file cannot be read any more (changed or removed underneath).</exception>
    public void Read(SafetensorsEntry entry, Span<byte> destination)
    {
        if (destination.Length != entry.ByteLength)
            throw new ArgumentException($"tensor '{entry.Name}' has {entry.ByteLength} bytes, the destination {destination.Length}", nameof(destination));
        try
        {
            _stream.Position = _dataStart + entry.Begin;
            _stream.ReadExactly(destination);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or NotSupportedException)
        {
            throw Unreadable(Path, e);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>A message-naming failure for a file the header checks cannot describe (an I/O error while reading).</summary>
    private static WeightLoadException Unreadable(string path, Exception e) =>
        new($"'{path}' could not be read as safetensors: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", e);

    private static (long DataStart, List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength == 0) throw new WeightLoadException($"'{path}' is empty");
        if (fileLength < 8) throw new WeightLoadException($"'{path}' is truncated: {fileLength} bytes, a safetensors file starts with an 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new WeightLoadException($"'{path}' is truncated or corrupt: its header claims {headerLength} bytes, the file has {fileLength - 8} after the length");
        if (headerLength > SafetensorsFile.MaxHeaderBytes)
            throw new WeightLoadException($"'{path}': safetensors header of {headerLength} bytes exceeds the {SafetensorsFile.MaxHeaderBytes}-byte limit");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var entries = ParseHeader(header, fileLength - dataStart, path, out var metadata);
        return (dataStart, entries, metadata);
    }

    private static List<SafetensorsEntry> ParseHeader(byte[] header, long dataLength, string path, out Dictionary<string, string> metadata)
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
            var entries = new List<SafetensorsEntry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(path, $"tensor '{property.Name}' appears twice");
                if (property.Name == SafetensorsFile.MetadataKey)
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
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long previousEnd = 0;
            string? previous = null;
            foreach (var e in entries)
            {
                if (e.Begin < previousEnd) throw Bad(path, $"tensors '{previous}' and '{e.Name}' overlap");
                previousEnd = e.End;
                previous = e.Name;
            }
            return entries;
        }
    }

    private static SafetensorsEntry ParseEntry(JsonProperty property, long dataLength, string path)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}' is not described by an object");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) throw Bad(path, $"tensor '{name}' has no dtype");
        var dtype = dtypeElement.GetString()!;
        int elementSize = SafetensorsFile.ElementSize(dtype);
        if (elementSize == 0) throw Bad(path, $"tensor '{name}' has unknown dtype {dtype}");
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
        long count = Shapes.ElementCount(shape, int.MaxValue / elementSize);
        if (count < 0 || count * elementSize != end - begin)
            throw Bad(path, $"tensor '{name}' with shape {Shapes.Format(shape)} needs {(count < 0 ? "too many" : (count * elementSize).ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes but data_offsets span {end - begin}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>The failure for a header that breaks the format.</summary>
    internal static WeightLoadException Bad(string path, string what) => new($"'{path}' is not a valid safetensors file: {what}");
}
