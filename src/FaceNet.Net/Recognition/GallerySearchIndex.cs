using TorchSharp;

namespace FaceNet.Net.Recognition;

/// <summary>
/// The searchable form of a gallery: every enrolled (unit-length) embedding as one row of a contiguous
/// [N, D] float32 matrix, rows grouped by identity. Immutable once built; any number of threads may search it.
/// </summary>
/// <remarks>
/// A search is one matrix-vector product (N·D multiply-adds, one read of the matrix) and one top-k:
/// for unit vectors every metric is a decreasing function of the dot product s (Euclidean √(2 − 2s),
/// squared 2 − 2s, cosine 1 − s), so the closest rows are the rows with the largest s, and no [N, D]
/// difference tensor is ever built. The reported distances are then computed exactly (in double) from the
/// rows of the chosen identities only.
/// </remarks>
internal sealed class GallerySearchIndex : IDisposable
{
    private readonly float[] _data;
    private readonly torch.Tensor _matrix;
    private readonly int[] _rowIdentity;
    private readonly int[] _identityStart;
    private readonly int[] _identityCount;
    private readonly string[] _names;
    private readonly int _maxPerIdentity;
    private readonly int _dimension;

    public GallerySearchIndex(IReadOnlyList<KeyValuePair<string, List<float[]>>> identities, int dimension)
    {
        _dimension = dimension;
        int rows = 0;
        foreach (var entry in identities) rows = checked(rows + entry.Value.Count);
        _data = new float[(long)rows * dimension];
        _rowIdentity = new int[rows];
        _identityStart = new int[identities.Count];
        _identityCount = new int[identities.Count];
        _names = new string[identities.Count];
        int row = 0;
        for (int i = 0; i < identities.Count; i++)
        {
            var (name, embeddings) = identities[i];
            _names[i] = name;
            _identityStart[i] = row;
            _identityCount[i] = embeddings.Count;
            _maxPerIdentity = Math.Max(_maxPerIdentity, embeddings.Count);
            foreach (var e in embeddings)
            {
                e.CopyTo(_data, (long)row * dimension);
                _rowIdentity[row++] = i;
            }
        }
        FaceNetRuntime.EnsureInitialized();
        _matrix = torch.tensor(_data, [rows, dimension]);
    }

    public int Rows => _rowIdentity.Length;

    /// <summary>The <paramref name="topK"/> identities closest to the unit vector <paramref name="probe"/>, exact distances, closest first.</summary>
    public IReadOnlyList<(string Name, float Distance)> Search(float[] probe, int topK, DistanceMetric metric)
    {
        if (Rows == 0) return [];
        int identities = Math.Min(topK, _names.Length);
        // Enough rows to contain `identities` distinct identities even if each fills its whole quota.
        int rows = (int)Math.Min(Rows, (long)identities * _maxPerIdentity);

        long[] best;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var p = torch.tensor(probe, [_dimension]);
            var similarities = _matrix.mv(p);
            var (_, indices) = similarities.topk(rows, dim: 0, largest: true, sorted: true);
            best = indices.data<long>().ToArray();
        }

        var chosen = new List<int>(identities);
        var seen = new HashSet<int>();
        foreach (var r in best)
        {
            int identity = _rowIdentity[r];
            if (seen.Add(identity)) chosen.Add(identity);
            if (chosen.Count == identities) break;
        }

        var result = new List<(string Name, float Distance)>(chosen.Count);
        foreach (var identity in chosen) result.Add((_names[identity], IdentityDistance(probe, identity, metric)));
        // Exact distances can swap near-ties of the dot-product ranking: order by the reported values.
        return result.OrderBy(c => c.Distance).ToList();
    }

    /// <summary>The smallest exact distance between <paramref name="probe"/> and the rows of one identity.</summary>
    public float IdentityDistance(float[] probe, int identity, DistanceMetric metric)
    {
        float best = float.PositiveInfinity;
        int start = _identityStart[identity];
        for (int r = start; r < start + _identityCount[identity]; r++)
        {
            var row = _data.AsSpan(checked(r * _dimension), _dimension);
            best = Math.Min(best, Distances.Compute(probe, row, metric));
        }
        return best;
    }

    public void Dispose() => _matrix.Dispose();
}
