using System.Buffers.Binary;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Bounded reads for the container checks (<see cref="PngStructure"/>, <see cref="BmpStructure"/>, ...): every read
/// says whether the bytes were there, so a truncated file is reported instead of read past. Positions are relative
/// to where the image starts in the stream. Not thread-safe: one instance per check.
/// </summary>
internal sealed class ImageStructureReader
{
    private readonly Stream _stream;
    private readonly long _start;

    /// <summary>Wraps a seekable <paramref name="stream"/>; the image starts at its current position.</summary>
    public ImageStructureReader(Stream stream)
    {
        _stream = stream;
        _start = stream.Position;
        Length = stream.Length - _start;
    }

    /// <summary>The number of bytes from the image's start to the end of the stream.</summary>
    public long Length { get; }

    /// <summary>The current position, relative to the image's start.</summary>
    public long Position
    {
        get => _stream.Position - _start;
        set => _stream.Position = _start + value;
    }

    /// <summary>The bytes left after <see cref="Position"/>.</summary>
    public long Remaining => Length - Position;

    /// <summary>Fills <paramref name="buffer"/> from the current position; false (position unchanged) when the file ends first.</summary>
    public bool TryRead(Span<byte> buffer)
    {
        if (Remaining < buffer.Length) return false;
        _stream.ReadExactly(buffer);
        return true;
    }

    /// <summary>The next byte, or -1 at the end.</summary>
    public int ReadByte() => _stream.ReadByte();

    /// <summary>Moves forward <paramref name="count"/> bytes; false when fewer are left.</summary>
    public bool TrySkip(long count)
    {
        if (count < 0 || Remaining < count) return false;
        Position += count;
        return true;
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/> (from the image's start) into a small header buffer; false when the file is shorter.</summary>
    public bool TryReadAt(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset + buffer.Length > Length) return false;
        Position = offset;
        _stream.ReadExactly(buffer);
        return true;
    }

    /// <summary>Little-endian helpers over a header buffer.</summary>
    public static ushort U16(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);

    /// <inheritdoc cref="U16"/>
    public static uint U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    /// <inheritdoc cref="U16"/>
    public static int I32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);

    /// <summary>A read-only view of <paramref name="count"/> bytes of the underlying stream from <paramref name="offset"/> (for inflating one chunk).</summary>
    public Stream Slice(long offset, long count) => new ImageSegmentStream(_stream, [(_start + offset, count)]);

    /// <summary>A read-only view of several regions of the stream, one after the other (PNG's IDAT chunks).</summary>
    public Stream Concatenation(IReadOnlyList<(long Offset, long Count)> segments) =>
        new ImageSegmentStream(_stream, segments.Select(s => (_start + s.Offset, s.Count)).ToArray());
}
