using System.Runtime.InteropServices;

namespace FaceNet.Net.Recognition;

/// <summary>
/// Native memory for a gallery's embedding matrix. Matrices of 4 MiB and more are aligned to 2 MiB and, on Linux,
/// advised for transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>, which takes effect when the kernel's THP mode is
/// <c>always</c> or <c>madvise</c>): a scan then crosses 512x fewer pages, so fewer TLB misses and fewer restarts of
/// the hardware prefetcher. Smaller matrices are 64-byte aligned. Stateless, thread-safe.
/// </summary>
internal static unsafe partial class MatrixMemory
{
    /// <summary>Size from which a matrix is placed on huge pages.</summary>
    public const long HugePageThreshold = 4L << 20;

    /// <summary>The alignment of matrices from <see cref="HugePageThreshold"/> on (one x86-64 huge page).</summary>
    public const int HugePageSize = 2 << 20;

    private const int MadviseHugePage = 14; // MADV_HUGEPAGE

    /// <summary>Allocates <paramref name="bytes"/> (more than 0) bytes; free with <see cref="Free"/>.</summary>
    public static void* Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        bool huge = bytes >= HugePageThreshold;
        void* memory = NativeMemory.AlignedAlloc((nuint)bytes, huge ? (nuint)HugePageSize : 64);
        if (huge && OperatingSystem.IsLinux())
        {
            try
            {
                _ = Madvise((nint)memory, (nuint)bytes, MadviseHugePage); // advice only: a refusal changes nothing
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }
        return memory;
    }

    /// <summary>Frees memory from <see cref="Allocate"/>.</summary>
    public static void Free(void* memory) => NativeMemory.AlignedFree(memory);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
