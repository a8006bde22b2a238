namespace FaceNet.Net.Recognition;

/// <summary>
/// The <see cref="Capacity"/> best rows seen so far, by similarity (larger is better; on equal similarity the
/// smaller row index is better, so the selection is a total order and never depends on the order of the offers).
/// A min-heap whose root is the worst row kept; one instance per thread (not thread-safe).
/// </summary>
/// <remarks>A scan over rows in increasing index order only needs <see cref="Threshold"/>: a row whose
/// similarity is not strictly above it can never enter once the heap is full (it is smaller, or equal with a
/// larger index), so almost every row costs one comparison.</remarks>
internal sealed class TopRows
{
    private readonly float[] _similarity;
    private readonly int[] _row;
    private int _count;

    /// <param name="capacity">How many rows to keep (at least one).</param>
    public TopRows(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _similarity = new float[capacity];
        _row = new int[capacity];
    }

    /// <summary>How many rows are kept at most.</summary>
    public int Capacity => _row.Length;

    /// <summary>How many rows are kept now.</summary>
    public int Count => _count;

    /// <summary>
    /// The similarity a row with a larger index than every kept row must exceed to enter: the worst kept
    /// similarity once full, negative infinity before.
    /// </summary>
    public float Threshold => _count == _row.Length ? _similarity[0] : float.NegativeInfinity;

    /// <summary>Keeps row <paramref name="row"/> if it is among the best <see cref="Capacity"/> offered so far.</summary>
    public void Offer(float similarity, int row)
    {
        if (_count < _row.Length)
        {
            // Sift the new entry up from the end.
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Worse(similarity, row, _similarity[parent], _row[parent])) break;
                _similarity[i] = _similarity[parent];
                _row[i] = _row[parent];
                i = parent;
            }
            _similarity[i] = similarity;
            _row[i] = row;
            return;
        }
        if (!Worse(_similarity[0], _row[0], similarity, row)) return;
        // Replace the root (the worst kept) and sift down.
        int n = _count, j = 0;
        while (true)
        {
            int child = 2 * j + 1;
            if (child >= n) break;
            if (child + 1 < n && Worse(_similarity[child + 1], _row[child + 1], _similarity[child], _row[child])) child++;
            if (!Worse(_similarity[child], _row[child], similarity, row)) break;
            _similarity[j] = _similarity[child];
            _row[j] = _row[child];
            j = child;
        }
        _similarity[j] = similarity;
        _row[j] = row;
    }

    /// <summary>Appends the kept rows (in no particular order) to <paramref name="destination"/>.</summary>
    public void CopyTo(List<(float Similarity, int Row)> destination)
    {
        for (int i = 0; i < _count; i++) destination.Add((_similarity[i], _row[i]));
    }

    /// <summary>The selection's order, best first: larger similarity, then smaller row index.</summary>
    public static int Compare((float Similarity, int Row) a, (float Similarity, int Row) b)
    {
        int bySimilarity = b.Similarity.CompareTo(a.Similarity);
        return bySimilarity != 0 ? bySimilarity : a.Row.CompareTo(b.Row);
    }

    /// <summary>True when (s1, r1) ranks below (s2, r2).</summary>
    private static bool Worse(float s1, int r1, float s2, int r2) => s1 < s2 || (s1 == s2 && r1 > r2);
}
