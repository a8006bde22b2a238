using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace FaceNet.Net.Weights.Torch;

/// <summary>
/// A pickle reader that only builds data: it understands the opcodes of protocols 2 to 4 that a PyTorch state dict
/// uses, and resolves a <c>GLOBAL</c> only when it names a container or tensor class on a fixed allow-list
/// (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c> and its siblings, <c>torch.*Storage</c>).
/// Nothing is ever imported or called: an allowed global is replaced by the data it would build, and any other
/// global (<c>os.system</c>, <c>builtins.eval</c>, ...) is refused where it appears, so a crafted file cannot run code.
/// </summary>
/// <remarks>
/// Resources are bounded whatever the input: every length read from the file is checked against the bytes left
/// before anything is allocated, the stack, the memo and the nesting of marks have fixed limits, storage sizes
/// are checked against <c>maxStorageBytes</c>, and a tensor must lie inside its storage. Each opcode consumes at
/// least one byte, so reading ends. Failures are <see cref="InvalidDataException"/>s whose message says what was
/// wrong (the caller adds the file name). Not thread-safe: one reader per file.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    /// <summary>Most values on the stack at once.</summary>
    public const int MaxStack = 1 << 20;

    /// <summary>Most memo entries in one pickle.</summary>
    public const int MaxMemo = 1 << 20;

    /// <summary>Deepest nesting of <c>MARK</c>s (a state dict needs 3 or 4).</summary>
    public const int MaxMarkDepth = 64;

    /// <summary>Longest string accepted (tensor names are short).</summary>
    public const int MaxStringBytes = 1 << 16;

    /// <summary>Highest tensor rank accepted.</summary>
    public const int MaxRank = 16;

    private static readonly HashSet<string> AllowedFunctions = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
    };

    private readonly Stream _input;
    private readonly long _end;
    private readonly long _maxStorageBytes;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<uint, object?> _memo = [];

    /// <summary>Reads pickles from <paramref name="input"/> (seekable), up to its end.</summary>
    /// <param name="input">The bytes; read from its current position.</param>
    /// <param name="maxStorageBytes">The most bytes a storage may declare (the bytes that could hold it).</param>
    public RestrictedUnpickler(Stream input, long maxStorageBytes)
    {
        _input = input;
        _end = input.Length;
        _maxStorageBytes = maxStorageBytes;
    }

    /// <summary>The storages the pickles named, by key.</summary>
    public Dictionary<string, TorchStorageRef> Storages { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads one pickle (up to its <c>STOP</c>) and returns the object it builds; the memo starts empty, as for each <c>pickle.load</c>.</summary>
    /// <exception cref="InvalidDataException">The pickle is truncated, malformed, too large, or uses something outside the allow-list.</exception>
    public object? Load()
    {
        _stack.Clear();
        _marks.Clear();
        _memo.Clear();
        while (true)
        {
            long at = _input.Position;
            byte op = ReadByte();
            switch (op)
            {
                case 0x80: if (ReadByte() > 5) throw new InvalidDataException("pickle protocol above 5"); break; // PROTO
                case 0x95: ReadLength(8); break;                                        // FRAME: its length is checked, its bytes are read as opcodes
                case 0x2e:                                                              // STOP
                    if (_marks.Count > 0 || _stack.Count != 1) throw new InvalidDataException("a pickle ends with a malformed stack");
                    return _stack[0];
                case 0x28:                                                              // MARK
                    if (_marks.Count >= MaxMarkDepth) throw new InvalidDataException($"the pickle nests deeper than {MaxMarkDepth} levels");
                    _marks.Add(_stack.Count);
                    break;
                case 0x7d: Push(new PickleDict()); break;                               // EMPTY_DICT
                case 0x5d: Push(new List<object?>()); break;                            // EMPTY_LIST
                case 0x29: Push(Array.Empty<object?>()); break;                         // EMPTY_TUPLE
                case 0x4e: Push(null); break;                                           // NONE
                case 0x88: Push(true); break;                                           // NEWTRUE
                case 0x89: Push(false); break;                                          // NEWFALSE
                case 0x4b: Push((long)ReadByte()); break;                               // BININT1
                case 0x4d: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break; // BININT2
                case 0x4a: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;  // BININT
                case 0x8a: Push(ReadLong1()); break;                                    // LONG1
                case 0x47: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;  // BINFLOAT
                case 0x58: Push(ReadString(ReadLength(4))); break;                      // BINUNICODE
                case 0x8c: Push(ReadString(ReadByte())); break;                         // SHORT_BINUNICODE
                case 0x8d: Push(ReadString(ReadLength(8))); break;                      // BINUNICODE8
                case 0x71: Memoize(ReadByte()); break;                                  // BINPUT
                case 0x72: Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))); break; // LONG_BINPUT
                case 0x94: Memoize((uint)_memo.Count); break;                           // MEMOIZE
                case 0x68: Push(Recall(ReadByte())); break;                             // BINGET
                case 0x6a: Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break; // LONG_BINGET
                case 0x74: Push(PopToMark().ToArray()); break;                          // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                                // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case 0x6c: Push(PopToMark()); break;                                    // LIST
                case 0x64:                                                              // DICT
                {
                    var items = PopToMark();
                    Push(ToDict(items));
                    break;
                }
                case 0x63: Push(Resolve(ReadLine(), ReadLine())); break;               // GLOBAL
                case 0x93:                                                              // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw new InvalidDataException("STACK_GLOBAL without two strings");
                    Push(Resolve(m, n));
                    break;
                }
                case 0x52: { var args = Pop(); var callable = Pop(); Push(Reduce(callable, args)); break; } // REDUCE
                case 0x62: Build(Pop(), Peek()); break;                                 // BUILD
                case 0x51: Push(PersistentLoad(Pop())); break;                          // BINPERSID
                case 0x73: { var v = Pop(); var k = Pop(); TargetDict().Set(k, v); break; } // SETITEM
                case 0x75:                                                              // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0) throw new InvalidDataException("SETITEMS with an odd number of values");
                    var dict = TargetDict();
                    for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
                    break;
                }
                case 0x61: { var v = Pop(); TargetList().Add(v); break; }               // APPEND
                case 0x65: { var items = PopToMark(); TargetList().AddRange(items); break; } // APPENDS
                default:
                    throw new InvalidDataException($"pickle opcode 0x{op:x2} at byte {at} is not one a state dict uses");
            }
        }
    }

    /// <summary>The allow-list: a container or tensor function, or a typed storage class; everything else is refused here.</summary>
    private static PickleGlobal Resolve(string module, string name)
    {
        var global = new PickleGlobal(module, name);
        if (AllowedFunctions.Contains(global.ToString())) return global;
        if (module == "torch" && TorchStorageType.Find(name) is not null) return global;
        throw new InvalidDataException(
            $"its pickle refers to {PrintableText.Of(global.ToString(), 100)}, which a state dict never does (only tensors, containers and " +
            "torch's tensor classes are allowed); refused, nothing was executed");
    }

    private static object Reduce(object? callable, object? arguments)
    {
        if (callable is not PickleGlobal function || arguments is not object?[] args)
            throw new InvalidDataException($"REDUCE of {PickleNames.Describe(callable)} with {PickleNames.Describe(arguments)} arguments");
        switch (function.ToString())
        {
            case "collections.OrderedDict":
                if (args.Length == 0) return new PickleDict();
                if (args is [List<object?> pairs]) return ToDict(pairs.SelectMany(PairItems).ToList());
                throw new InvalidDataException("OrderedDict built from unexpected arguments");
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                if (args.Length < 4) throw new InvalidDataException($"{function} with {args.Length} arguments");
                return RebuildTensor(args[0], args[1], args[2], args[3]);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (args.Length < 1 || args[0] is not TorchTensorRef tensor) throw new InvalidDataException($"{function} without a tensor");
                return tensor;
            default:
                throw new InvalidDataException($"{function} cannot be called (it is a storage class)");
        }
    }

    private static IEnumerable<object?> PairItems(object? pair) => pair switch
    {
        object?[] { Length: 2 } t => t,
        List<object?> { Count: 2 } l => l,
        _ => throw new InvalidDataException("OrderedDict built from something other than pairs"),
    };

    private static TorchTensorRef RebuildTensor(object? storage, object? offset, object? size, object? stride)
    {
        if (storage is not TorchStorageRef s) throw new InvalidDataException($"a tensor is rebuilt from {PickleNames.Describe(storage)}, not from a storage");
        if (offset is not long first || first < 0) throw new InvalidDataException("a tensor has an invalid storage offset");
        var shape = Longs(size, "size");
        var strides = Longs(stride, "stride");
        if (shape.Length != strides.Length) throw new InvalidDataException("a tensor's size and stride differ in length");
        var tensor = new TorchTensorRef(s, first, shape, strides);
        long count = Shapes.ElementCount(shape, s.Count);
        if (count < 0) throw new InvalidDataException($"a tensor of shape {Shapes.Format(shape)} has more elements than its storage ({s.Count})");
        if (count > 0)
        {
            long last;
            try
            {
                last = tensor.LastIndex;
            }
            catch (OverflowException)
            {
                last = long.MaxValue;
            }
            if (last >= s.Count)
                throw new InvalidDataException($"a tensor of shape {Shapes.Format(shape)} reaches element {last} of a storage of {s.Count}");
        }
        return tensor;
    }

    private static long[] Longs(object? value, string what)
    {
        if (value is not object?[] items || items.Length > MaxRank) throw new InvalidDataException($"a tensor's {what} is not a tuple of at most {MaxRank} integers");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is not long v || v < 0) throw new InvalidDataException($"a tensor's {what} holds a negative or non-integer value");
            result[i] = v;
        }
        return result;
    }

    private static PickleDict ToDict(List<object?> items)
    {
        if (items.Count % 2 != 0) throw new InvalidDataException("a dict with an odd number of values");
        var dict = new PickleDict();
        for (int i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
        return dict;
    }

    /// <summary>BUILD sets an object's state: only an OrderedDict's (its <c>_metadata</c>, version numbers a loader does not need).</summary>
    private static void Build(object? state, object? target)
    {
        if (target is not PickleDict || state is not (PickleDict or null))
            throw new InvalidDataException($"BUILD on {PickleNames.Describe(target)} (only an OrderedDict's metadata is accepted)");
    }

    private TorchStorageRef PersistentLoad(object? id)
    {
        // ('storage', torch.FloatStorage, key, location, numel[, view_metadata])
        if (id is not object?[] { Length: 5 or 6 } pid || pid[0] is not "storage" || pid[1] is not PickleGlobal { Module: "torch" } type
            || pid[2] is not string key || pid[3] is not string || pid[4] is not long count || count < 0)
            throw new InvalidDataException("a persistent id is not a storage reference ('storage', type, key, location, size)");
        if (pid.Length == 6 && pid[5] is not null) throw new InvalidDataException($"storage {PrintableText.Of(key, 100)} is a view of another storage (not supported)");
        var storageType = TorchStorageType.Find(type.Name) ?? throw new InvalidDataException($"{type} is not a storage type");
        if (count > _maxStorageBytes / storageType.ElementSize)
            throw new InvalidDataException($"storage {PrintableText.Of(key, 100)} declares {count} elements of {storageType.ElementSize} bytes, more than the file's {_maxStorageBytes} bytes can hold");
        if (Storages.TryGetValue(key, out var known))
        {
            if (known.Type != storageType || known.Count != count) throw new InvalidDataException($"storage {PrintableText.Of(key, 100)} is declared twice, differently");
            return known;
        }
        if (Storages.Count >= MaxMemo) throw new InvalidDataException("the pickle names too many storages");
        var storage = new TorchStorageRef(key, storageType, count);
        Storages[key] = storage;
        return storage;
    }

    private PickleDict TargetDict() =>
        Peek() as PickleDict ?? throw new InvalidDataException($"SETITEM on {PickleNames.Describe(Peek())}, not on a dict");

    private List<object?> TargetList() =>
        Peek() as List<object?> ?? throw new InvalidDataException($"APPEND on {PickleNames.Describe(Peek())}, not on a list");

    private void Memoize(uint index)
    {
        if (_memo.Count >= MaxMemo && !_memo.ContainsKey(index)) throw new InvalidDataException($"the pickle memoizes more than {MaxMemo} values");
        _memo[index] = Peek();
    }

    private object? Recall(uint index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"the pickle recalls memo entry {index}, which was never stored");

    private void Push(object? value)
    {
        if (_stack.Count >= MaxStack) throw new InvalidDataException($"the pickle stack grows past {MaxStack} values");
        _stack.Add(value);
    }

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks[^1] : 0;
        if (_stack.Count <= floor) throw new InvalidDataException("the pickle reads from an empty stack");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0) throw new InvalidDataException("a pickle MARK is missing");
        int mark = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        int b = _input.ReadByte();
        return b >= 0 ? (byte)b : throw Truncated();
    }

    private byte[] Read(int count)
    {
        if (count > _end - _input.Position) throw Truncated();
        var bytes = new byte[count];
        _input.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A length field of <paramref name="size"/> bytes, checked against the bytes left before anything is allocated.</summary>
    private long ReadLength(int size)
    {
        var raw = Read(size);
        ulong length = size == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        if (length > (ulong)(_end - _input.Position)) throw Truncated($"a length of {length} bytes, more than the {_end - _input.Position} left");
        return (long)length;
    }

    private string ReadString(long length)
    {
        if (length > MaxStringBytes) throw new InvalidDataException($"a string of {length} bytes (at most {MaxStringBytes} are accepted)");
        if (length > _end - _input.Position) throw Truncated();
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Read((int)length));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("a string is not valid UTF-8");
        }
    }

    private object ReadLong1()
    {
        var value = new BigInteger(Read(ReadByte()), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    /// <summary>A GLOBAL operand: ASCII up to a newline, at most 256 bytes.</summary>
    private string ReadLine()
    {
        var text = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == (byte)'\n') return text.ToString();
            if (text.Length >= 256) throw new InvalidDataException("a GLOBAL name longer than 256 bytes");
            text.Append((char)b);
        }
    }

    private InvalidDataException Truncated(string? detail = null) =>
        new("the file ends inside a pickle (truncated?)" + (detail is null ? "" : $": {detail}"));
}
