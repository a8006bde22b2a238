using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FaceNet.Net.Weights.Torch;

/// <summary>
/// A typed storage class a state dict may name (<c>torch.FloatStorage</c>, ...): its element size and how its
/// little-endian bytes become float32. Only these classes are accepted; any other <c>torch.*</c> name is refused.
/// Immutable and thread-safe.
/// </summary>
internal sealed class TorchStorageType
{
    private static readonly Dictionary<string, TorchStorageType> ByName = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = new("FloatStorage", "float32", 4, true),
        ["DoubleStorage"] = new("DoubleStorage", "float64", 8, true),
        ["HalfStorage"] = new("HalfStorage", "float16", 2, true),
        ["BFloat16Storage"] = new("BFloat16Storage", "bfloat16", 2, true),
        // Integer storages hold BatchNorm's num_batches_tracked counters (int64 scalars), which loaders skip.
        ["LongStorage"] = new("LongStorage", "int64", 8, false),
        ["IntStorage"] = new("IntStorage", "int32", 4, false),
        ["ShortStorage"] = new("ShortStorage", "int16", 2, false),
        ["CharStorage"] = new("CharStorage", "int8", 1, false),
        ["ByteStorage"] = new("ByteStorage", "uint8", 1, false),
        ["BoolStorage"] = new("BoolStorage", "bool", 1, false),
    };

    private TorchStorageType(string className, string dtype, int elementSize, bool isFloatingPoint)
    {
        ClassName = className;
        DType = dtype;
        ElementSize = elementSize;
        IsFloatingPoint = isFloatingPoint;
    }

    /// <summary>The class name in module <c>torch</c>, e.g. <c>FloatStorage</c>.</summary>
    public string ClassName { get; }

    /// <summary>The element type, as torch spells it (<c>float32</c>, <c>int64</c>, ...).</summary>
    public string DType { get; }

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; }

    /// <summary>Whether the elements are floating point (the only kind network weights may have).</summary>
    public bool IsFloatingPoint { get; }

    /// <summary>The storage class <c>torch.<paramref name="className"/></c>, or null when it is not one of the accepted ones.</summary>
    public static TorchStorageType? Find(string className) => ByName.GetValueOrDefault(className);

    /// <summary>Converts little-endian elements to float32 (<paramref name="source"/> holds <c>destination.Length</c> elements).</summary>
    public void ToFloat32(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != destination.Length * ElementSize) throw new ArgumentException("the byte count does not match the element count", nameof(source));
        if (ClassName == "FloatStorage" && BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(destination));
            return;
        }
        for (int i = 0; i < destination.Length; i++)
        {
            var e = source.Slice(i * ElementSize, ElementSize);
            destination[i] = ClassName switch
            {
                "FloatStorage" => BinaryPrimitives.ReadSingleLittleEndian(e),
                "DoubleStorage" => (float)BinaryPrimitives.ReadDoubleLittleEndian(e),
                "HalfStorage" => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
                "BFloat16Storage" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
                "LongStorage" => BinaryPrimitives.ReadInt64LittleEndian(e),
                "IntStorage" => BinaryPrimitives.ReadInt32LittleEndian(e),
                "ShortStorage" => BinaryPrimitives.ReadInt16LittleEndian(e),
                "CharStorage" => (sbyte)e[0],
                _ => e[0],
            };
        }
    }
}
