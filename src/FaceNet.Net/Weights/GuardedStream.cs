using System.Runtime.CompilerServices;

namespace FaceNet.Net.Weights;

/// <summary>
/// A read-only stream that lets the HDF5 reader fail cleanly on corrupt files instead of taking the process
/// down: before every read or seek it checks that the thread still has stack to spare (a corrupted file can
/// contain a cycle of soft links that PureHDF would follow until the stack overflows, which cannot be caught)
/// and that the number of operations stays within a budget (a cycle that never deepens the stack would hang).
/// Either limit throws <see cref="WeightLoadException"/>.
/// </summary>
internal sealed class GuardedStream(Stream inner, string path, long operationBudget) : Stream
{
    private long _operations;

    private void Guard()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new WeightLoadException($"'{path}' is corrupt: its HDF5 structure nests without end (a link cycle?)");
        if (++_operations > operationBudget)
            throw new WeightLoadException($"'{path}' is corrupt: reading its HDF5 structure does not finish (more than {operationBudget} reads)");
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => inner.Position;
        set
        {
            Guard();
            inner.Position = value;
        }
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        Guard();
        return inner.Read(buffer, offset, count);
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        Guard();
        return inner.Read(buffer);
    }

    /// <inheritdoc />
    public override int ReadByte()
    {
        Guard();
        return inner.ReadByte();
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        Guard();
        return inner.Seek(offset, origin);
    }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
