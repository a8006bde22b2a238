using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Detection;

/// <summary>
/// Reads a PyTorch state dict saved in the legacy (pre-1.6, non-zip) format: four pickles (magic number,
/// protocol version, system info, the state dict with storages as persistent ids), a pickled list of
/// storage keys, then each storage's element count (int64) and raw little-endian data in that order.
/// </summary>
/// <remarks>
/// Only what a state dict of float tensors needs is understood: an <c>OrderedDict</c> of tensors rebuilt by
/// <c>torch._utils._rebuild_tensor_v2</c> from <c>FloatStorage</c>/<c>DoubleStorage</c>. The pickle is never
/// executed: <c>GLOBAL</c> opcodes are matched against that fixed list and anything else is refused, so a
/// crafted file cannot run code.
/// </remarks>
internal static class LegacyTorchReader
{
    /// <summary>torch.serialization's MAGIC_NUMBER, 0x1950a86a20f9469cfc6c.</summary>
    private static readonly BigInteger MagicNumber = BigInteger.Parse("01950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);

    public static IReadOnlyDictionary<string, TensorData> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FaceDetectionException($"Cannot read the weight file '{path}': {e.Message}", e);
        }
        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException
                                      or InvalidCastException or OverflowException or KeyNotFoundException)
        {
            throw new FaceDetectionException(
                $"'{path}' is not a legacy-format PyTorch state dict this reader understands ({e.Message}); convert it to safetensors.", e);
        }
    }

    private static IReadOnlyDictionary<string, TensorData> Parse(byte[] bytes)
    {
        var reader = new Unpickler(bytes);
        if (reader.Load() is not BigInteger magic || magic != MagicNumber)
            throw new InvalidDataException("the magic number of the legacy format is missing (a zip-format .pt needs a different reader)");
        reader.Load(); // protocol version
        reader.Load(); // system info (little endian, type sizes)
        if (reader.Load() is not List<KeyValuePair<object, object?>> stateDict)
            throw new InvalidDataException("the pickled object is not a state dict");
        if (reader.Load() is not List<object?> keys) throw new InvalidDataException("the storage key list is missing");

        var storages = new Dictionary<string, float[]>(StringComparer.Ordinal);
        int position = reader.Position;
        foreach (var key in keys.Cast<string>())
        {
            var storage = reader.Storages[key];
            long count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position, 8));
            position += 8;
            if (count != storage.Count) throw new InvalidDataException($"storage {key} holds {count} elements, the pickle says {storage.Count}");
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = storage.ElementSize == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(position + i * 4, 4))
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(position + i * 8, 8));
            }
            position += checked((int)count * storage.ElementSize);
            storages[key] = values;
        }

        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (name, value) in stateDict)
        {
            if (value is not TensorRef tensor) throw new InvalidDataException($"entry {name} is not a tensor");
            result[(string)name] = tensor.Gather((string)name, storages[tensor.Storage.Key]);
        }
        return result;
    }

    private sealed record GlobalRef(string Module, string Name);

    private sealed record StorageRef(string Key, int ElementSize, long Count);

    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride)
    {
        public TensorData Gather(string name, float[] storage)
        {
            long count = Size.Aggregate(1L, (a, d) => checked(a * d));
            var values = new float[count];
            var index = new long[Size.Length];
            for (long i = 0; i < count; i++)
            {
                long at = Offset;
                for (int d = 0; d < Size.Length; d++) at += index[d] * Stride[d];
                values[i] = storage[at];
                for (int d = Size.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < Size[d]) break;
                    index[d] = 0;
                }
            }
            return new TensorData(name, Size, values);
        }
    }

    /// <summary>A pickle reader for protocol 2 restricted to the opcodes and globals a state dict uses.</summary>
    private sealed class Unpickler(byte[] data)
    {
        private static readonly object Mark = new();
        private readonly Dictionary<int, object?> _memo = [];
        private readonly List<object?> _stack = [];

        public int Position { get; private set; }

        public Dictionary<string, StorageRef> Storages { get; } = new(StringComparer.Ordinal);

        public object? Load()
        {
            _memo.Clear();
            _stack.Clear();
            while (true)
            {
                byte op = data[Position++];
                switch (op)
                {
                    case 0x80: Position++; break;                                             // PROTO
                    case 0x2e: return Pop();                                                  // STOP
                    case 0x7d: Push(new List<KeyValuePair<object, object?>>()); break;        // EMPTY_DICT
                    case 0x5d: Push(new List<object?>()); break;                              // EMPTY_LIST
                    case 0x29: Push(Array.Empty<object?>()); break;                           // EMPTY_TUPLE
                    case 0x28: Push(Mark); break;                                             // MARK
                    case 0x4e: Push(null); break;                                             // NONE
                    case 0x88: Push(true); break;                                             // NEWTRUE
                    case 0x89: Push(false); break;                                            // NEWFALSE
                    case 0x4b: Push((long)data[Position++]); break;                           // BININT1
                    case 0x4d: Push((long)ReadUInt16()); break;                               // BININT2
                    case 0x4a: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                    case 0x8a: Push(ReadLong1()); break;                                      // LONG1
                    case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;   // BINFLOAT
                    case 0x58: Push(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break; // BINUNICODE
                    case 0x8c: Push(Encoding.UTF8.GetString(Take(data[Position++]))); break; // SHORT_BINUNICODE
                    case 0x71: _memo[data[Position++]] = Peek(); break;                      // BINPUT
                    case 0x72: _memo[BinaryPrimitives.ReadInt32LittleEndian(Take(4))] = Peek(); break; // LONG_BINPUT
                    case 0x68: Push(_memo[data[Position++]]); break;                          // BINGET
                    case 0x6a: Push(_memo[BinaryPrimitives.ReadInt32LittleEndian(Take(4))]); break; // LONG_BINGET
                    case 0x74: Push(PopToMark().ToArray()); break;                            // TUPLE
                    case 0x85: Push(new[] { Pop() }); break;                                  // TUPLE1
                    case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                    case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                    case 0x63: Push(new GlobalRef(ReadLine(), ReadLine())); break;            // GLOBAL
                    case 0x52: { var args = (object?[])Pop()!; Push(Reduce((GlobalRef)Pop()!, args)); break; } // REDUCE
                    case 0x62: Pop(); break;                                                  // BUILD: state ignored (metadata)
                    case 0x51: Push(PersistentLoad((object?[])Pop()!)); break;               // BINPERSID
                    case 0x73: { var v = Pop(); var k = Pop()!; Dict().Add(new(k, v)); break; } // SETITEM
                    case 0x75:                                                                // SETITEMS
                    {
                        var items = PopToMark();
                        var dict = Dict();
                        for (int i = 0; i + 1 < items.Count; i += 2) dict.Add(new(items[i]!, items[i + 1]));
                        break;
                    }
                    case 0x61: { var v = Pop(); ((List<object?>)Peek()!).Add(v); break; }    // APPEND
                    case 0x65: { var items = PopToMark(); ((List<object?>)Peek()!).AddRange(items); break; } // APPENDS
                    default: throw new InvalidDataException($"pickle opcode 0x{op:x2} at byte {Position - 1} is not supported");
                }
            }
        }

        private object Reduce(GlobalRef callable, object?[] args) => (callable.Module, callable.Name) switch
        {
            ("collections", "OrderedDict") => new List<KeyValuePair<object, object?>>(),
            ("torch._utils", "_rebuild_tensor_v2") => new TensorRef(
                (StorageRef)args[0]!, (long)args[1]!,
                ((object?[])args[2]!).Select(o => (long)o!).ToArray(),
                ((object?[])args[3]!).Select(o => (long)o!).ToArray()),
            _ => throw new InvalidDataException($"pickle global {callable.Module}.{callable.Name} is not allowed in a state dict"),
        };

        private StorageRef PersistentLoad(object?[] pid)
        {
            if (pid.Length < 5 || pid[0] as string != "storage" || pid[1] is not GlobalRef type)
                throw new InvalidDataException("a persistent id is not a storage");
            int size = (type.Module, type.Name) switch
            {
                ("torch", "FloatStorage") => 4,
                ("torch", "DoubleStorage") => 8,
                _ => throw new InvalidDataException($"storage type {type.Module}.{type.Name} is not supported (float32/float64 only)"),
            };
            var key = (string)pid[2]!;
            if (!Storages.TryGetValue(key, out var storage))
            {
                storage = new StorageRef(key, size, (long)pid[4]!);
                Storages[key] = storage;
            }
            return storage;
        }

        private List<KeyValuePair<object, object?>> Dict() => (List<KeyValuePair<object, object?>>)Peek()!;

        private ReadOnlySpan<byte> Take(int count)
        {
            var span = data.AsSpan(Position, count);
            Position += count;
            return span;
        }

        private ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        private object ReadLong1()
        {
            var value = new BigInteger(Take(data[Position++]), isUnsigned: false, isBigEndian: false);
            return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
        }

        private string ReadLine()
        {
            int end = Array.IndexOf(data, (byte)'\n', Position);
            if (end < 0) throw new InvalidDataException("an unterminated pickle GLOBAL");
            var text = Encoding.ASCII.GetString(data, Position, end - Position);
            Position = end + 1;
            return text;
        }

        private void Push(object? value) => _stack.Add(value);

        private object? Peek() => _stack[^1];

        private object? Pop()
        {
            var value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            if (ReferenceEquals(value, Mark)) throw new InvalidDataException("unexpected MARK on the pickle stack");
            return value;
        }

        private List<object?> PopToMark()
        {
            int mark = _stack.FindLastIndex(o => ReferenceEquals(o, Mark));
            if (mark < 0) throw new InvalidDataException("a pickle MARK is missing");
            var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
            _stack.RemoveRange(mark, _stack.Count - mark);
            return items;
        }
    }
}
