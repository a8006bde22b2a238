using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace FaceNet.Net.Weights;

/// <summary>
/// The network's parameters by torch name (a state dict in managed memory), in ordinal name order,
/// whatever file they came from. Its <see cref="Fingerprint"/> is the same for a Keras file and its
/// converted safetensors.
/// </summary>
internal sealed class WeightSet
{
    private readonly SortedDictionary<string, TensorData> _tensors = new(StringComparer.Ordinal);
    private string? _fingerprint;

    /// <summary>Creates an empty set.</summary>
    /// <param name="source">The file the tensors come from, named in error messages; null when built in memory.</param>
    public WeightSet(string? source = null) => Source = source;

    /// <summary>The file the tensors come from, or null when they were built in memory.</summary>
    public string? Source { get; }

    /// <summary>The tensors, by name in ordinal order.</summary>
    public IEnumerable<TensorData> Tensors => _tensors.Values;

    /// <summary>How many tensors.</summary>
    public int Count => _tensors.Count;

    /// <summary>Total number of float values.</summary>
    public long ElementCount => _tensors.Values.Sum(t => (long)t.Values.Length);

    /// <summary>Adds a tensor; a second tensor of the same name is a bug in the caller.</summary>
    public void Add(TensorData tensor)
    {
        _tensors.Add(tensor.Name, tensor);
        _fingerprint = null;
    }

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGet(string name, out TensorData tensor) => _tensors.TryGetValue(name, out tensor!);

    /// <summary>
    /// Lower-case hex SHA-256 over every tensor in ordinal name order: the UTF-8 name, a zero byte, the
    /// rank and dimensions as little-endian int64, then the float32 values little-endian. Computed once per set of
    /// tensors (loading checks it against a file's recorded one, then the model reports it): tensor values are not
    /// changed after they are added.
    /// </summary>
    public string Fingerprint() => _fingerprint ??= ComputeFingerprint();

    private string ComputeFingerprint()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var t in _tensors.Values)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(t.Name));
            sha.AppendData([0]);
            BitConverter.TryWriteBytes(number, (long)t.Shape.Length);
            if (!BitConverter.IsLittleEndian) number.Reverse();
            sha.AppendData(number);
            foreach (var d in t.Shape)
            {
                BitConverter.TryWriteBytes(number, d);
                if (!BitConverter.IsLittleEndian) number.Reverse();
                sha.AppendData(number);
            }
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            sha.AppendData(MemoryMarshal.AsBytes(t.Values.AsSpan()));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
