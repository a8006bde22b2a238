using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FaceNet.Net.Weights;

/// <summary>
/// The safetensors format, written and read in one place: an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to <c>{"dtype","shape","data_offsets"}</c> plus an optional <c>__metadata__</c>
/// string map (padded with spaces so the data starts 8-byte aligned), then the raw little-endian data in header
/// order. Reading goes through <see cref="SafetensorsReader"/> (strict, bounded validation); files are written
/// atomically (a temporary file in the same folder, renamed at the end). Network weights (float32
/// <see cref="WeightSet"/>s), MTCNN weights and training checkpoints all use this type. Stateless and thread-safe.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Largest header accepted (the full network's header is about 60 KB).</summary>
    public const long MaxHeaderBytes = 16 * 1024 * 1024;

    /// <summary>The header key of the string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The dtype of float32 tensors.</summary>
    public const string Float32 = "F32";

    /// <summary>Bytes per element of the safetensors dtype <paramref name="dtype"/>, or 0 for an unknown name.</summary>
    public static int ElementSize(string dtype) => dtype switch
    {
        "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" => 1,
        "I16" or "U16" or "F16" or "BF16" => 2,
        "I32" or "U32" or "F32" => 4,
        "I64" or "U64" or "F64" => 8,
        _ => 0,
    };

    /// <summary>Whether the first bytes look like safetensors: a plausible header length followed by '{'.</summary>
    public static bool LooksLikeSafetensors(ReadOnlySpan<byte> head, long fileLength)
    {
        if (head.Length < 9) return false;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(head);
        // A header longer than the file still counts: the reader then reports the file as truncated.
        return n >= 2 && n <= MaxHeaderBytes && head[8] == (byte)'{';
    }

    /// <summary>Reads every tensor of a file of float32 network weights, and its metadata.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not valid safetensors or holds something other than F32 tensors.</exception>
    public static (WeightSet Weights, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        using var reader = SafetensorsReader.Open(path);
        foreach (var e in reader.Entries)
            if (e.DType != Float32) throw SafetensorsReader.Bad(path, $"tensor '{e.Name}' has dtype {e.DType}, expected F32");
        return (ReadFloat32(reader, reader.Entries), reader.Metadata);
    }

    /// <summary>Reads the given F32 entries of an open file (the others are never touched).</summary>
    /// <param name="reader">The open file.</param>
    /// <param name="entries">Entries of <paramref name="reader"/>, each of dtype F32.</param>
    /// <exception cref="WeightLoadException">The file cannot be read any more.</exception>
    public static WeightSet ReadFloat32(SafetensorsReader reader, IEnumerable<SafetensorsEntry> entries)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        var weights = new WeightSet(reader.Path);
        foreach (var e in entries)
        {
            if (e.DType != Float32) throw new ArgumentException($"tensor '{e.Name}' has dtype {e.DType}, not F32", nameof(entries));
            var values = new float[e.ByteLength / sizeof(float)];
            reader.Read(e, MemoryMarshal.AsBytes(values.AsSpan()));
            weights.Add(new TensorData(e.Name, e.Shape, values));
        }
        return weights;
    }

    /// <summary>Writes float32 weights (ordinal name order) and metadata to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to write (replaced if it exists; its folder is created if needed).</param>
    /// <param name="weights">The tensors.</param>
    /// <param name="metadata">String metadata.</param>
    /// <param name="progress">Fraction of the tensors written, from 0 to 1.</param>
    public static void Write(string path, WeightSet weights, IReadOnlyDictionary<string, string> metadata, Action<double>? progress = null) =>
        Write(path, Float32Tensors(weights), metadata, progress);

    /// <summary>Writes float32 weights (ordinal name order) and metadata to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, WeightSet weights, IReadOnlyDictionary<string, string> metadata, Action<double>? progress = null) =>
        Write(stream, Float32Tensors(weights), metadata, progress);

    /// <summary>
    /// Writes tensors and metadata to <paramref name="path"/> atomically: into a temporary file beside it, flushed to
    /// disk, then renamed over it, so a crash or an exception never leaves a partial file (the temporary file is deleted; stale ones a killed process left for this target are removed first, see
    /// <see cref="IO.TemporaryFiles"/>).
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists; its folder is created if needed).</param>
    /// <param name="tensors">The tensors, written in this order.</param>
    /// <param name="metadata">String metadata.</param>
    /// <param name="progress">Fraction of the tensors written, from 0 to 1.</param>
    /// <exception cref="ArgumentException">A tensor name is empty, reserved or repeated, or a dtype unknown.</exception>
    public static void Write(string path, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata, Action<double>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IO.AtomicFile.Write(path, stream => Write(stream, tensors, metadata, progress), createFolder: true);
    }

    /// <summary>Writes tensors and metadata to <paramref name="stream"/>, the tensors' data in the given order.</summary>
    /// <exception cref="ArgumentException">A tensor name is empty, reserved or repeated, a dtype unknown, or a tensor wrote another number of bytes than its shape needs.</exception>
    public static void Write(Stream stream, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata, Action<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        var lengths = new long[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(k, v);
            json.WriteEndObject();
            long offset = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                if (string.IsNullOrEmpty(t.Name) || t.Name == MetadataKey || !names.Add(t.Name))
                    throw new ArgumentException($"invalid or repeated tensor name '{t.Name}'", nameof(tensors));
                int size = ElementSize(t.DType);
                if (size == 0) throw new ArgumentException($"tensor '{t.Name}' has unknown dtype '{t.DType}'", nameof(tensors));
                long count = Shapes.ElementCount(t.Shape);
                if (count < 0) throw new ArgumentException($"tensor '{t.Name}' has an invalid shape {Shapes.Format(t.Shape)}", nameof(tensors));
                lengths[i] = count * size;
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DType);
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += lengths[i];
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
        for (int i = 0; i < tensors.Count; i++)
        {
            long before = stream.CanSeek ? stream.Position : -1;
            tensors[i].WriteData(stream);
            if (before >= 0 && stream.Position - before != lengths[i])
                throw new ArgumentException($"tensor '{tensors[i].Name}' wrote {stream.Position - before} bytes, its shape needs {lengths[i]}", nameof(tensors));
            progress?.Invoke((i + 1) / (double)tensors.Count);
        }
    }

    private static List<SafetensorsTensor> Float32Tensors(WeightSet weights) =>
        weights.Tensors.Select(t => new SafetensorsTensor(t.Name, Float32, t.Shape, s => s.Write(MemoryMarshal.AsBytes(t.Values.AsSpan())))).ToList();
}
