using System.Runtime.InteropServices;

namespace FaceNet.Net.Recognition;

/// <summary>
/// Owns one native matrix buffer from <see cref="MatrixMemory"/>. A <see cref="SafeHandle"/>, so the buffer is freed
/// by the runtime's critical finalizer when its owner is never disposed (a gallery of 1 M 128-d embeddings holds
/// 512 MB natively: a missed <c>Dispose</c> must not leak it), and no search can free it while one still reads it
/// through <see cref="SafeHandle.DangerousAddRef"/>. Adds the size to the GC's memory pressure while it lives, so a
/// forgotten gallery is collected soon. Thread-safe as <see cref="SafeHandle"/> is.
/// </summary>
internal sealed unsafe class NativeMatrixHandle : SafeHandle
{
    /// <summary>Allocates <paramref name="bytes"/> (more than 0) bytes with <see cref="MatrixMemory.Allocate"/>.</summary>
    public NativeMatrixHandle(long bytes) : base(IntPtr.Zero, ownsHandle: true)
    {
        Bytes = bytes;
        SetHandle((nint)MatrixMemory.Allocate(bytes));
        GC.AddMemoryPressure(bytes);
    }

    private static long _releasedBytes;

    /// <summary>Bytes released by all handles so far in this process (for tests of the finalizer path).</summary>
    public static long ReleasedBytes => Interlocked.Read(ref _releasedBytes);

    /// <summary>The buffer's size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>The buffer's address (valid until the handle is released).</summary>
    public float* Pointer => (float*)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        MatrixMemory.Free((void*)handle);
        GC.RemoveMemoryPressure(Bytes);
        Interlocked.Add(ref _releasedBytes, Bytes);
        return true;
    }
}
