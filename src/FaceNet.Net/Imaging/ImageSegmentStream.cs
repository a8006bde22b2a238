namespace FaceNet.Net.Imaging;

/// <summary>
/// A forward-only, read-only stream over regions of another seekable stream, read one after the other: lets
/// <see cref="System.IO.Compression.ZLibStream"/> inflate PNG chunk data in place, without copying it. Not thread-safe.
/// </summary>
internal sealed class ImageSegmentStream(Stream inner, (long Offset, long Count)[] segments) : Stream
{
    private int _segment;
    private long _used;

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        while (_segment < segments.Length && _used == segments[_segment].Count) { _segment++; _used = 0; }
        if (_segment == segments.Length || buffer.Length == 0) return 0;
        var (start, length) = segments[_segment];
        inner.Position = start + _used;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _used)]);
        if (n == 0) throw new EndOfStreamException();
        _used += n;
        return n;
    }

    /// <inheritdoc/>
    public override bool CanRead => true;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => false;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override void Flush() { }
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
