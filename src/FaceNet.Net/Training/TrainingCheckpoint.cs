using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// A training checkpoint in the safetensors format: named tensors plus string metadata (<c>__metadata__</c>). A small,
/// self-contained reader and writer for what the trainer saves (the model's state dictionary, the optimiser state,
/// the epoch); files open in any safetensors reader. Holds CPU tensors: dispose it. Not thread-safe.
/// </summary>
/// <remarks>
/// Layout: 8-byte little-endian header length, a JSON header mapping each name to its dtype, shape and byte range,
/// then the raw little-endian data. <see cref="Write"/> writes to a temporary file beside the target and renames it,
/// so a crash never leaves a half-written checkpoint.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>The metadata key holding the format tag.</summary>
    public const string FormatKey = "format";

    /// <summary>The format tag of trainer checkpoints.</summary>
    public const string FormatTag = "facenet-net-training-checkpoint/1";

    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private static readonly Dictionary<ScalarType, (string Name, int Size)> DTypes = new()
    {
        [ScalarType.Float32] = ("F32", 4), [ScalarType.Float64] = ("F64", 8), [ScalarType.Float16] = ("F16", 2),
        [ScalarType.BFloat16] = ("BF16", 2), [ScalarType.Int64] = ("I64", 8), [ScalarType.Int32] = ("I32", 4),
        [ScalarType.Int16] = ("I16", 2), [ScalarType.Int8] = ("I8", 1), [ScalarType.Byte] = ("U8", 1), [ScalarType.Bool] = ("BOOL", 1),
    };

    private TrainingCheckpoint(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors, on the CPU, by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The string metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Writes tensors and metadata to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">The target file; its folder is created if needed.</param>
    /// <param name="tensors">Named tensors on any device (copied to the CPU).</param>
    /// <param name="metadata">String metadata.</param>
    /// <exception cref="ArgumentException">A tensor has a dtype safetensors cannot hold, or a name is empty.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        FaceNetRuntime.EnsureInitialized();
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);

        using var scope = NewDisposeScope();
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var data = new List<Tensor>(names.Count);
        var header = new Dictionary<string, object> { ["__metadata__"] = new SortedDictionary<string, string>(metadata.ToDictionary(), StringComparer.Ordinal) };
        long offset = 0;
        foreach (var name in names)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__") throw new ArgumentException($"Invalid tensor name '{name}'.", nameof(tensors));
            var t = tensors[name].detach().cpu().contiguous();
            if (!DTypes.TryGetValue(t.dtype, out var dt))
                throw new ArgumentException($"Tensor '{name}' has dtype {t.dtype}, which a checkpoint cannot hold.", nameof(tensors));
            long bytes = t.numel() * dt.Size;
            header[name] = new { dtype = dt.Name, shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
            data.Add(t);
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;

        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                stream.Write(length);
                stream.Write(json);
                for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                foreach (var t in data) stream.Write(t.bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads a checkpoint.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FaceNetException">The file is not a valid safetensors file (the message says what is wrong).</exception>
    public static TrainingCheckpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        FaceNetRuntime.EnsureInitialized();
        using var stream = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        if (stream.Length < 8 || stream.Read(length) != 8) throw Invalid(path, "it is shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(length);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, stream.Length - 8)) throw Invalid(path, $"its header length {headerLength} is out of range");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength, dataLength = stream.Length - dataStart;

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(headerBytes);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var dtypeName = entry.Value.GetProperty("dtype").GetString();
                var (scalar, size) = DTypes.Select(kv => (kv.Key, kv.Value.Size, kv.Value.Name)).Where(d => d.Name == dtypeName)
                    .Select(d => ((ScalarType?)d.Key, d.Size)).FirstOrDefault();
                if (scalar is null) throw Invalid(path, $"tensor '{entry.Name}' has unsupported dtype '{dtypeName}'");
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long count = shape.Aggregate(1L, (a, b) => b < 0 ? -1 : a * b);
                if (count < 0 || offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != count * size)
                    throw Invalid(path, $"tensor '{entry.Name}' has a shape or byte range that does not fit the file");
                var bytes = new byte[offsets[1] - offsets[0]];
                stream.Position = dataStart + offsets[0];
                stream.ReadExactly(bytes);
                var t = empty(shape, scalar.Value);
                if (bytes.Length > 0) t.bytes = bytes;
                tensors[entry.Name] = t;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or EndOfStreamException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw Invalid(path, "its header is malformed: " + e.Message, e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new TrainingCheckpoint(tensors, metadata);
    }

    /// <summary>The metadata value for <paramref name="key"/>.</summary>
    /// <exception cref="FaceNetException">The key is absent.</exception>
    public string RequireMetadata(string key) =>
        Metadata.TryGetValue(key, out var v) ? v : throw new FaceNetException($"The checkpoint has no '{key}' entry; it was not written by the FaceNet.Net trainer.");

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    private static FaceNetException Invalid(string path, string why, Exception? inner = null) =>
        new($"Checkpoint '{path}' is not a valid safetensors file: {why}.", inner);
}
