using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FaceNet.Net.Recognition;

/// <summary>
/// Dot products of a probe with consecutive rows of a row-major float32 matrix, vectorised with
/// <see cref="Vector512"/> where the hardware accelerates it, else <see cref="Vector256"/>, else scalar. Any row
/// length works: whole vectors first, then narrower vectors, then single values. Stateless and thread-safe.
/// </summary>
/// <remarks>A row's result depends only on the row, the probe and the path chosen for this machine (the order of
/// the additions is fixed), never on which rows are computed with it: ties between rows are exact and
/// reproducible, whichever thread computes them.</remarks>
internal static unsafe class RowDotProducts
{
    /// <summary>
    /// Writes <paramref name="scores"/>[i] = row i · <paramref name="probe"/> for the <c>scores.Length</c> rows of
    /// <paramref name="dimension"/> floats that start at <paramref name="rows"/> (stored one after another).
    /// </summary>
    /// <remarks>Compiled fully optimised at once: the tiered JIT's first versions of this loop are several times
    /// slower, and a gallery may not search often enough to reach the optimised tier.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(float* rows, int dimension, float* probe, Span<float> scores)
    {
        if (Vector512.IsHardwareAccelerated && dimension == 2 * Vector512<float>.Count * 4)
        {
            Dot512Rows128(rows, probe, scores);
        }
        else if (Vector512.IsHardwareAccelerated && dimension >= Vector512<float>.Count)
        {
            for (int i = 0; i < scores.Length; i++) scores[i] = Dot512(rows + (nint)i * dimension, probe, dimension);
        }
        else if (Vector256.IsHardwareAccelerated && dimension >= Vector256<float>.Count)
        {
            for (int i = 0; i < scores.Length; i++) scores[i] = Dot256(rows + (nint)i * dimension, probe, dimension);
        }
        else
        {
            for (int i = 0; i < scores.Length; i++) scores[i] = DotScalar(rows + (nint)i * dimension, probe, 0, dimension);
        }
    }

    /// <summary>
    /// The 128-d case (FaceNet's embedding size), two rows at a time with the probe held in registers: eight
    /// independent multiply-add chains per pair of rows, so the loads of both rows are in flight together.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot512Rows128(float* rows, float* probe, Span<float> scores)
    {
        const int width = 16, dimension = 128;
        var p0 = Vector512.Load(probe);
        var p1 = Vector512.Load(probe + width);
        var p2 = Vector512.Load(probe + 2 * width);
        var p3 = Vector512.Load(probe + 3 * width);
        var p4 = Vector512.Load(probe + 4 * width);
        var p5 = Vector512.Load(probe + 5 * width);
        var p6 = Vector512.Load(probe + 6 * width);
        var p7 = Vector512.Load(probe + 7 * width);
        int i = 0;
        for (; i + 1 < scores.Length; i += 2)
        {
            float* a = rows + (nint)i * dimension;
            float* b = a + dimension;
            if (Sse.IsSupported)
            {
                // The two rows 16 rows ahead (8 KB): the scan outruns the hardware prefetcher at page boundaries.
                // A prefetch never faults, so reading past the matrix's end here is harmless.
                byte* ahead = (byte*)(a + 16 * dimension);
                for (int line = 0; line < 2 * dimension * sizeof(float); line += 64) Sse.Prefetch0(ahead + line);
            }
            var a0 = Vector512.Load(a) * p0 + Vector512.Load(a + width) * p1;
            var a1 = Vector512.Load(a + 2 * width) * p2 + Vector512.Load(a + 3 * width) * p3;
            var a2 = Vector512.Load(a + 4 * width) * p4 + Vector512.Load(a + 5 * width) * p5;
            var a3 = Vector512.Load(a + 6 * width) * p6 + Vector512.Load(a + 7 * width) * p7;
            var b0 = Vector512.Load(b) * p0 + Vector512.Load(b + width) * p1;
            var b1 = Vector512.Load(b + 2 * width) * p2 + Vector512.Load(b + 3 * width) * p3;
            var b2 = Vector512.Load(b + 4 * width) * p4 + Vector512.Load(b + 5 * width) * p5;
            var b3 = Vector512.Load(b + 6 * width) * p6 + Vector512.Load(b + 7 * width) * p7;
            scores[i] = Vector512.Sum((a0 + a1) + (a2 + a3));
            scores[i + 1] = Vector512.Sum((b0 + b1) + (b2 + b3));
        }
        if (i < scores.Length) scores[i] = Dot512(rows + (nint)i * dimension, probe, dimension);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot512(float* a, float* b, int length)
    {
        const int width = 16; // Vector512<float>.Count
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        int k = 0;
        for (; k <= length - 4 * width; k += 4 * width)
        {
            acc0 += Vector512.Load(a + k) * Vector512.Load(b + k);
            acc1 += Vector512.Load(a + k + width) * Vector512.Load(b + k + width);
            acc2 += Vector512.Load(a + k + 2 * width) * Vector512.Load(b + k + 2 * width);
            acc3 += Vector512.Load(a + k + 3 * width) * Vector512.Load(b + k + 3 * width);
        }
        for (; k <= length - width; k += width) acc0 += Vector512.Load(a + k) * Vector512.Load(b + k);
        float sum = Vector512.Sum((acc0 + acc1) + (acc2 + acc3));
        return k == length ? sum : sum + DotScalar(a, b, k, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot256(float* a, float* b, int length)
    {
        const int width = 8; // Vector256<float>.Count
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        int k = 0;
        for (; k <= length - 4 * width; k += 4 * width)
        {
            acc0 += Vector256.Load(a + k) * Vector256.Load(b + k);
            acc1 += Vector256.Load(a + k + width) * Vector256.Load(b + k + width);
            acc2 += Vector256.Load(a + k + 2 * width) * Vector256.Load(b + k + 2 * width);
            acc3 += Vector256.Load(a + k + 3 * width) * Vector256.Load(b + k + 3 * width);
        }
        for (; k <= length - width; k += width) acc0 += Vector256.Load(a + k) * Vector256.Load(b + k);
        float sum = Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
        return k == length ? sum : sum + DotScalar(a, b, k, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotScalar(float* a, float* b, int start, int length)
    {
        float sum = 0f;
        for (int k = start; k < length; k++) sum += a[k] * b[k];
        return sum;
    }
}
