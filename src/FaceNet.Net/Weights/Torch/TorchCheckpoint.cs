using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;

namespace FaceNet.Net.Weights.Torch;

/// <summary>
/// A state dict written by <c>torch.save</c>, in either container: the legacy format (PyTorch before 1.6, or
/// <c>_use_new_zipfile_serialization=False</c>: a stream of pickles — magic number, protocol, system info, the
/// state dict with storages as persistent ids, the list of storage keys — then each storage as an int64 element
/// count and its raw little-endian bytes) or the zip format (<c>&lt;name&gt;/data.pkl</c> plus one uncompressed
/// <c>&lt;name&gt;/data/&lt;key&gt;</c> entry per storage). Opening parses the pickle with
/// <see cref="RestrictedUnpickler"/> and checks that every storage exists and holds what the tensors need;
/// tensor values are read on demand. The one PyTorch reader of the library: FaceNet weights and MTCNN weights use it.
/// Not thread-safe; dispose to close the file.
/// </summary>
internal sealed class TorchCheckpoint : IDisposable
{
    /// <summary>torch.serialization's MAGIC_NUMBER (0x1950a86a20f9469cfc6c) as the legacy format pickles it.</summary>
    private static readonly BigInteger MagicNumber = BigInteger.Parse("01950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    /// <summary>The legacy format's first bytes: PROTO 2, LONG1 of 10 bytes, the magic number little-endian.</summary>
    private static ReadOnlySpan<byte> LegacySignature => [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    private static ReadOnlySpan<byte> ZipSignature => [(byte)'P', (byte)'K', 3, 4];

    /// <summary>How many leading bytes <see cref="LooksLikeTorch"/> needs.</summary>
    public const int SignatureLength = 14;

    private readonly FileStream _file;
    private readonly ZipArchive? _zip;
    private readonly string _zipPrefix = "";
    private readonly Dictionary<string, long> _legacyOffsets = new(StringComparer.Ordinal);

    private TorchCheckpoint(string path, FileStream file, ZipArchive? zip)
    {
        Path = path;
        _file = file;
        _zip = zip;
        try
        {
            if (zip is null) Entries = ReadLegacy(out _legacyOffsets);
            else Entries = ReadZip(zip, out _zipPrefix);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException or IOException)
        {
            throw Bad(path, e.Message, e);
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Whether the file uses the zip container (PyTorch 1.6 and later) rather than the legacy one.</summary>
    public bool IsZip => _zip is not null;

    /// <summary>The container, for messages: <c>legacy</c> or <c>zip</c> torch.save format.</summary>
    public string Layout => IsZip ? "PyTorch torch.save, zip format" : "PyTorch torch.save, legacy (non-zip) format";

    /// <summary>The state dict's tensors, by name in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, TorchTensorRef>> Entries { get; }

    /// <summary>Whether <paramref name="head"/> (the first bytes of a file) starts like a <c>torch.save</c> file of either format.</summary>
    public static bool LooksLikeTorch(ReadOnlySpan<byte> head) =>
        head.StartsWith(LegacySignature) || head.StartsWith(ZipSignature);

    /// <summary>Opens and checks a <c>torch.save</c> file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file cannot be read, is not a state dict of tensors, is truncated, or uses anything outside the allow-list (nothing in it is executed).</exception>
    public static TorchCheckpoint Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weight file '{path}' not found", path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightLoadException($"Cannot read the weight file '{path}': {e.Message}", e);
        }
        ZipArchive? zip = null;
        try
        {
            Span<byte> head = stackalloc byte[4];
            bool isZip = file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(ZipSignature);
            file.Position = 0;
            if (isZip)
            {
                try
                {
                    zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
                }
                catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
                {
                    throw Bad(path, $"it starts like a zip-format PyTorch file but is not a valid zip archive ({e.Message})", e);
                }
            }
            return new TorchCheckpoint(path, file, zip);
        }
        catch
        {
            zip?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>How many storage elements beyond twice its own size a strided view may span.</summary>
    private const long MaxViewSlack = 4096;

    /// <summary>The values of <paramref name="tensor"/> as float32, row-major.</summary>
    /// <exception cref="WeightLoadException">The storage cannot be read (a zip entry shorter than it declared, an I/O error).</exception>
    public float[] ReadValues(TorchTensorRef tensor)
    {
        var type = tensor.Storage.Type;
        long count = tensor.ElementCount;
        var values = new float[count];
        if (count == 0) return values;
        try
        {
            if (tensor.IsContiguous)
            {
                var bytes = ReadStorage(tensor.Storage, tensor.Offset, count);
                type.ToFloat32(bytes, values);
                return values;
            }
            // A strided view: read the span it covers, then gather. The span is bounded by the tensor's own size (a
            // transpose covers exactly its elements), so a view with huge strides cannot make the reader allocate a
            // storage the network does not need.
            long span = tensor.LastIndex - tensor.Offset + 1;
            if (span > 2 * count + MaxViewSlack)
                throw Bad(Path, $"tensor of shape {Shapes.Format(tensor.Shape)} is a strided view spanning {span} elements of storage {tensor.Storage.Key}, far more than its {count}; save the state dict with contiguous tensors");
            var raw = ReadStorage(tensor.Storage, tensor.Offset, span);
            var all = new float[span];
            type.ToFloat32(raw, all);
            var index = new long[tensor.Shape.Length];
            for (long i = 0; i < count; i++)
            {
                long at = 0;
                for (int d = 0; d < index.Length; d++) at += index[d] * tensor.Stride[d];
                values[i] = all[at];
                for (int d = index.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < tensor.Shape[d]) break;
                    index[d] = 0;
                }
            }
            return values;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw Bad(Path, $"storage {tensor.Storage.Key} cannot be read ({e.Message})", e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _zip?.Dispose();
        _file.Dispose();
    }

    /// <summary>The error for a file this reader does not accept.</summary>
    public static WeightLoadException Bad(string path, string reason, Exception? inner = null) =>
        new($"'{path}' is not a PyTorch state dict this reader accepts: {reason}.", inner);

    private byte[] ReadStorage(TorchStorageRef storage, long firstElement, long elements)
    {
        int size = storage.Type.ElementSize;
        var bytes = new byte[checked(elements * size)];
        if (_zip is null)
        {
            _file.Position = _legacyOffsets[storage.Key] + firstElement * size;
            _file.ReadExactly(bytes);
            return bytes;
        }
        var entry = _zip.GetEntry(_zipPrefix + "data/" + storage.Key)!;
        using var stream = entry.Open();
        long skip = firstElement * size;
        var scratch = new byte[Math.Min(skip, 1 << 16)];
        while (skip > 0)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(skip, scratch.Length));
            if (n == 0) throw new EndOfStreamException("a storage entry is shorter than it declares");
            skip -= n;
        }
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("a storage entry is shorter than it declares");
        }
        return bytes;
    }

    private List<KeyValuePair<string, TorchTensorRef>> ReadLegacy(out Dictionary<string, long> offsets)
    {
        long length = _file.Length;
        var unpickler = new RestrictedUnpickler(_file, length);
        if (unpickler.Load() is not BigInteger magic || magic != MagicNumber)
            throw new InvalidDataException("the legacy format's magic number is missing");
        if (unpickler.Load() is not long protocol || protocol != 1001)
            throw new InvalidDataException("the legacy format's protocol version is not 1001");
        if (unpickler.Load() is PickleDict sysInfo
            && sysInfo.Items.Any(p => p.Key is "little_endian" && p.Value is false))
            throw new InvalidDataException("it was written on a big-endian machine (not supported)");
        var entries = StateDict(unpickler.Load());
        if (unpickler.Load() is not List<object?> keys || keys.Any(k => k is not string))
            throw new InvalidDataException("the list of storage keys is missing");

        // The storages follow in the order of the key list: an int64 element count, then the raw data.
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!unpickler.Storages.TryGetValue(key, out var storage))
                throw new InvalidDataException($"the key list names storage {key}, which no tensor uses");
            if (found.ContainsKey(key)) throw new InvalidDataException($"storage {key} is listed twice");
            if (_file.ReadAtLeast(count, 8, throwOnEndOfStream: false) != 8)
                throw new InvalidDataException($"the file ends before storage {key} (truncated?)");
            long declared = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (declared != storage.Count)
                throw new InvalidDataException($"storage {key} holds {declared} elements where the pickle says {storage.Count}");
            long bytes = storage.Count * storage.Type.ElementSize; // bounded by the unpickler against the file length
            if (bytes > length - _file.Position)
                throw new InvalidDataException($"the file ends inside storage {key} (truncated?): it needs {bytes} bytes, {length - _file.Position} are left");
            found[key] = _file.Position;
            _file.Position += bytes;
        }
        var missing = unpickler.Storages.Keys.Where(k => !found.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"storage {missing[0]} is used by a tensor but not in the file");
        offsets = found;
        return entries;
    }

    private List<KeyValuePair<string, TorchTensorRef>> ReadZip(ZipArchive zip, out string prefix)
    {
        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                             && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length).ToList();
        if (pickles.Count != 1)
            throw new InvalidDataException(pickles.Count == 0
                ? "it is a zip archive without a <name>/data.pkl entry, so not a zip-format torch.save file"
                : "it holds more than one <name>/data.pkl");
        var pickle = pickles[0];
        prefix = pickle.FullName[..^"data.pkl".Length];
        long fileLength = _file.Length;
        if (pickle.Length > fileLength) throw new InvalidDataException($"data.pkl declares {pickle.Length} bytes, more than the file holds");
        var byteorder = zip.GetEntry(prefix + "byteorder");
        if (byteorder is not null && byteorder.Length <= 16)
        {
            using var reader = new StreamReader(byteorder.Open());
            if (reader.ReadToEnd().Trim() == "big") throw new InvalidDataException("it was written on a big-endian machine (not supported)");
        }

        var buffer = new byte[pickle.Length];
        using (var stream = pickle.Open())
        {
            try
            {
                stream.ReadExactly(buffer);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException("data.pkl is shorter than it declares (truncated?)");
            }
        }
        var unpickler = new RestrictedUnpickler(new MemoryStream(buffer, writable: false), fileLength);
        var entries = StateDict(unpickler.Load());
        foreach (var storage in unpickler.Storages.Values)
        {
            var data = zip.GetEntry(prefix + "data/" + storage.Key)
                       ?? throw new InvalidDataException($"storage {storage.Key} is used by a tensor but the archive has no data/{storage.Key}");
            long needed = storage.Count * storage.Type.ElementSize;
            if (data.Length < needed)
                throw new InvalidDataException($"data/{storage.Key} holds {data.Length} bytes, the pickle says {needed}");
        }
        return entries;
    }

    /// <summary>The top-level object as name → tensor: a dict (or OrderedDict) of string keys and tensor values.</summary>
    private static List<KeyValuePair<string, TorchTensorRef>> StateDict(object? root)
    {
        if (root is not PickleDict dict)
            throw new InvalidDataException($"the saved object is of type {PickleNames.Describe(root)}, not a state dict (expected torch.save(model.state_dict()))");
        var entries = new List<KeyValuePair<string, TorchTensorRef>>(dict.Items.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw new InvalidDataException("a state dict key is not a string");
            if (value is not TorchTensorRef tensor)
                throw new InvalidDataException($"entry '{name}' is of type {PickleNames.Describe(value)}, not a tensor (expected torch.save(model.state_dict()))");
            entries.Add(new(name, tensor));
        }
        return entries;
    }
}
