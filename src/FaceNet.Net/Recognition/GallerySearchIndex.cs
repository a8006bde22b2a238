using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FaceNet.Net.Recognition;

/// <summary>
/// The searchable form of a gallery: every enrolled (unit-length) embedding as one row of a row-major [N, D]
/// float32 matrix in one 64-byte-aligned native buffer, rows grouped by identity. Searches never change it (any
/// number of threads may search at once); only <see cref="Rename"/> does, under the gallery's write lock.
/// </summary>
/// <remarks>
/// <para>A search is one pass over the matrix (N·D multiply-adds, one read of it) that keeps the best rows on the
/// way: for unit vectors every metric is a decreasing function of the dot product s (Euclidean √(2 − 2s), squared
/// 2 − 2s, cosine 1 − s), so the closest rows are the rows with the largest s, and no distance or difference
/// matrix is built. The reported distances are then computed exactly (in double) from the chosen identities' own
/// vectors.</para>
/// <para>The pass is managed code: <see cref="RowDotProducts"/> (Vector512, Vector256 or scalar) over a block of
/// rows at a time, the rows split into a few large contiguous chunks run in parallel (one per core, a few more on
/// large galleries so a preempted worker delays less), each chunk keeping its own bounded <see cref="TopRows"/>
/// (nearly every row costs one comparison with the chunk's threshold), then one merge. The selection orders rows by
/// similarity, then by row index, so results never depend on thread scheduling. Small galleries are scanned on the
/// calling thread.</para>
/// <para>Why not libtorch: <c>mv</c> + <c>topk</c> on a column-major [D, N] tensor writes an [N] similarity
/// vector that <c>topk</c> then reads again, about three times the memory traffic of one read of the matrix; this
/// scan stays close to one read (<c>GalleryProbeBenchmarks</c>; numbers in docs/performance.md). The hot loops are
/// compiled with <see cref="System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization"/>, since the
/// tiered JIT's early code is several times slower.</para>
/// </remarks>
internal sealed unsafe class GallerySearchIndex : IDisposable
{
    /// <summary>Rows scored per call of the dot-product kernel (the scores stay on the stack).</summary>
    private const int Block = 256;

    /// <summary>Below this many rows a search runs on the calling thread (the parallel start-up would dominate).</summary>
    private const int MinRowsPerChunk = 32 * 1024;

    private readonly NativeMatrixHandle? _memory; // owns the matrix (freed even when Dispose is missed); null when N is 0
    private readonly float* _matrix;          // [N, D] row-major, 64-byte aligned; null when N is 0
    private readonly int[] _rowIdentity;
    private readonly List<float[]>[] _vectors;
    private readonly string[] _names;
    private readonly int _maxPerIdentity;
    private readonly int _dimension;
    private bool _disposed;

    /// <param name="identities">Names and their unit vectors; the lists must not change while the index lives.</param>
    /// <param name="dimension">The vector length.</param>
    public GallerySearchIndex(IReadOnlyList<KeyValuePair<string, List<float[]>>> identities, int dimension)
    {
        _dimension = dimension;
        int rows = 0;
        foreach (var entry in identities) rows = checked(rows + entry.Value.Count);
        _rowIdentity = new int[rows];
        _vectors = new List<float[]>[identities.Count];
        _names = new string[identities.Count];
        if (rows > 0)
        {
            _memory = new NativeMatrixHandle(checked((long)rows * dimension * sizeof(float)));
            _matrix = _memory.Pointer;
        }

        // Each vector is copied straight into its row: no second N x D copy in managed memory.
        int row = 0;
        for (int i = 0; i < identities.Count; i++)
        {
            var (name, embeddings) = identities[i];
            _names[i] = name;
            _vectors[i] = embeddings;
            _maxPerIdentity = Math.Max(_maxPerIdentity, embeddings.Count);
            foreach (var e in embeddings)
            {
                e.AsSpan().CopyTo(new Span<float>(_matrix + (nint)row * dimension, dimension));
                _rowIdentity[row++] = i;
            }
        }
    }

    public int Rows => _rowIdentity.Length;

    /// <summary>The <paramref name="topK"/> identities closest to the unit vector <paramref name="probe"/>, exact distances, closest first.</summary>
    public IReadOnlyList<(string Name, float Distance)> Search(float[] probe, int topK, DistanceMetric metric)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Rows == 0) return [];
        int identities = Math.Min(topK, _names.Length);
        // Enough rows to contain `identities` distinct identities even if each fills its whole quota.
        int rows = (int)Math.Min(Rows, (long)identities * _maxPerIdentity);

        var best = BestRows(probe, rows);

        var chosen = new List<int>(identities);
        var seen = new HashSet<int>();
        foreach (var (_, r) in best)
        {
            int identity = _rowIdentity[r];
            if (seen.Add(identity)) chosen.Add(identity);
            if (chosen.Count == identities) break;
        }

        var result = new List<(string Name, float Distance)>(chosen.Count);
        foreach (var identity in chosen)
        {
            float distance = float.PositiveInfinity;
            foreach (var v in _vectors[identity]) distance = Math.Min(distance, Distances.Compute(probe, v, metric));
            result.Add((_names[identity], distance));
        }
        // Exact distances can swap near-ties of the dot-product ranking: order by the reported values (a stable sort,
        // so equal distances keep the ranking's order).
        return result.OrderBy(c => c.Distance).ToList();
    }

    /// <summary>Renames identity <paramref name="identity"/> (its position is unchanged). Call only under the gallery's write lock.</summary>
    public void Rename(int identity, string newName) => _names[identity] = newName;

    /// <summary>Frees the native matrix. Call only when no search runs (the gallery holds its write lock).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _memory?.Dispose();
    }

    /// <summary>The <paramref name="count"/> rows with the largest dot product with <paramref name="probe"/>, best first (ties: smaller row first).</summary>
    private List<(float Similarity, int Row)> BestRows(float[] probe, int count)
    {
        int chunks = ChunkCount(Rows);
        var selections = new TopRows[chunks];
        fixed (float* p = probe)
        {
            nint probeAddress = (nint)p;
            if (chunks == 1) selections[0] = ScanChunk(0, Rows, probeAddress, count);
            else
            {
                long chunkLength = (Rows + (long)chunks - 1) / chunks;
                Parallel.For(0, chunks, c =>
                {
                    int first = (int)(c * chunkLength);
                    int end = (int)Math.Min(Rows, first + chunkLength);
                    selections[c] = ScanChunk(first, end, probeAddress, count);
                });
            }
        }

        var merged = new List<(float Similarity, int Row)>(chunks * Math.Min(count, Rows));
        foreach (var selection in selections) selection.CopyTo(merged);
        merged.Sort(TopRows.Compare);
        if (merged.Count > count) merged.RemoveRange(count, merged.Count - count);
        return merged;
    }

    /// <summary>
    /// At most one chunk per core, none shorter than <see cref="MinRowsPerChunk"/> rows: more chunks per core were
    /// slower in side-by-side runs (docs/performance.md).
    /// </summary>
    private static int ChunkCount(int rows)
    {
        int cores = Environment.ProcessorCount;
        if (cores == 1 || rows < 2 * MinRowsPerChunk) return 1;
        return (int)Math.Clamp(rows / MinRowsPerChunk, 1, cores);
    }

    /// <summary>Scans rows [<paramref name="first"/>, <paramref name="end"/>) in increasing order, keeping the best <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TopRows ScanChunk(int first, int end, nint probe, int count)
    {
        var top = new TopRows(Math.Max(1, Math.Min(count, end - first)));
        float threshold = top.Threshold;
        Span<float> scores = stackalloc float[Block];
        for (int start = first; start < end; start += Block)
        {
            int n = Math.Min(Block, end - start);
            var block = scores[..n];
            RowDotProducts.Compute(_matrix + (nint)start * _dimension, _dimension, (float*)probe, block);
            for (int i = 0; i < block.Length; i++)
            {
                // Rows come in increasing index order: an equal similarity never beats a kept row.
                if (block[i] > threshold)
                {
                    top.Offer(block[i], start + i);
                    threshold = top.Threshold;
                }
            }
        }
        return top;
    }
}
