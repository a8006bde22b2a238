using FaceNet.Net.Weights;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// A training checkpoint in the safetensors format: named tensors plus string metadata (<c>__metadata__</c>), as the
/// trainer saves them (the model's state dictionary, the optimiser state, the epoch); files open in any safetensors
/// reader. Holds CPU tensors: dispose it. Not thread-safe.
/// </summary>
/// <remarks>
/// The bytes are written and parsed by the library's one safetensors implementation (<see cref="SafetensorsFile"/>,
/// <see cref="SafetensorsReader"/>): the header is validated against the file before anything is allocated, and
/// <see cref="Write"/> writes to a temporary file beside the target and renames it, so a crash never leaves a
/// half-written checkpoint.
/// </remarks>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>The metadata key holding the format tag.</summary>
    public const string FormatKey = "format";

    /// <summary>The format tag of trainer checkpoints.</summary>
    public const string FormatTag = "facenet-net-training-checkpoint/1";

    /// <summary>The tensor dtypes a checkpoint holds, with their safetensors names.</summary>
    private static readonly Dictionary<ScalarType, string> DTypes = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    private static readonly Dictionary<string, ScalarType> ScalarTypes = DTypes.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

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
        using var scope = NewDisposeScope();
        var items = new List<SafetensorsTensor>(tensors.Count);
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            if (string.IsNullOrEmpty(name) || name == SafetensorsFile.MetadataKey) throw new ArgumentException($"Invalid tensor name '{name}'.", nameof(tensors));
            var t = tensors[name].detach().cpu().contiguous();
            if (!DTypes.TryGetValue(t.dtype, out var dtype))
                throw new ArgumentException($"Tensor '{name}' has dtype {t.dtype}, which a checkpoint cannot hold.", nameof(tensors));
            items.Add(new SafetensorsTensor(name, dtype, t.shape, stream => stream.Write(t.bytes)));
        }
        SafetensorsFile.Write(path, items, metadata);
    }

    /// <summary>Reads a checkpoint.</summary>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not a valid safetensors file or holds a dtype a checkpoint cannot (the message names the file and says what is wrong).</exception>
    public static TrainingCheckpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        FaceNetRuntime.EnsureInitialized();
        using var reader = SafetensorsReader.Open(path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in reader.Entries)
            {
                if (!ScalarTypes.TryGetValue(entry.DType, out var scalar))
                    throw SafetensorsReader.Bad(path, $"tensor '{entry.Name}' has dtype {entry.DType}, which a checkpoint cannot hold");
                var bytes = new byte[entry.ByteLength];
                reader.Read(entry, bytes);
                var t = empty(entry.Shape, scalar);
                tensors[entry.Name] = t;
                if (bytes.Length > 0) t.bytes = bytes;
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new TrainingCheckpoint(tensors, new Dictionary<string, string>(reader.Metadata, StringComparer.Ordinal));
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
}
