using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>The gallery matrix's native memory: huge-page alignment for large matrices, usable memory at both ends.</summary>
public unsafe class MatrixMemoryTests
{
    [TestCase(512L, 64L)]
    [TestCase(MatrixMemory.HugePageThreshold - 4, 64L)]
    [TestCase(MatrixMemory.HugePageThreshold, (long)MatrixMemory.HugePageSize)]
    [TestCase(3 * MatrixMemory.HugePageThreshold + 12, (long)MatrixMemory.HugePageSize)]
    public void Memory_is_aligned_for_its_size_and_writable_end_to_end(long bytes, long alignment)
    {
        var memory = (byte*)MatrixMemory.Allocate(bytes);
        try
        {
            Assert.That((long)memory % alignment, Is.Zero, $"{bytes} bytes aligned to {alignment}");
            memory[0] = 17;
            memory[bytes - 1] = 42;
            new Span<byte>(memory + 1, (int)Math.Min(bytes - 2, int.MaxValue)).Fill(7);
            Assert.That(memory[0] + memory[bytes - 1] + memory[bytes / 2], Is.EqualTo(17 + 42 + 7));
        }
        finally
        {
            MatrixMemory.Free(memory);
        }
    }

    [TestCase(0L)]
    [TestCase(-8L)]
    public void A_size_that_is_not_positive_is_refused(long bytes) =>
        Assert.That(() => MatrixMemory.Allocate(bytes), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
