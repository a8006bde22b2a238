using FaceNet.Net.Recognition;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// One face as a vector: the L2-normalised embedding (<see cref="Vector"/>), optionally the raw network output
/// (<see cref="Raw"/>), and the fingerprint of the weights that made it (<see cref="Source"/>).
/// </summary>
/// <remarks>Immutable and therefore thread-safe. Embeddings are only comparable when their <see cref="Source"/> is the same.</remarks>
public sealed class FaceEmbedding
{
    private readonly float[] _vector;
    private readonly float[]? _raw;

    internal FaceEmbedding(float[] normalized, float[]? raw, string source)
    {
        _vector = normalized;
        _raw = raw;
        Source = source;
    }

    /// <summary>The number of values (128 or 512 for the published weights).</summary>
    public int Dimension => _vector.Length;

    /// <summary>The embedding scaled to unit Euclidean length: what distances, verification and galleries use.</summary>
    public ReadOnlyMemory<float> Vector => _vector;

    /// <summary>
    /// The network's output before normalisation, when the encoder was created with
    /// <see cref="FaceEncoderOptions.IncludeRaw"/> (or the embedding was made from values); otherwise null.
    /// </summary>
    public ReadOnlyMemory<float>? Raw => _raw is null ? (ReadOnlyMemory<float>?)null : new ReadOnlyMemory<float>(_raw);

    /// <summary>The fingerprint of the weights (or the source name given to <see cref="FromValues"/>) that produced this embedding.</summary>
    public string Source { get; }

    /// <summary>A copy of <see cref="Vector"/>.</summary>
    public float[] ToArray() => (float[])_vector.Clone();

    /// <summary>The distance to <paramref name="other"/> under <paramref name="metric"/>, computed on the normalised vectors.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is null.</exception>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public float DistanceTo(FaceEmbedding other, DistanceMetric metric = DistanceMetric.Euclidean)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Distances.Compute(_vector, other._vector, metric);
    }

    /// <summary>
    /// Makes an embedding from stored values (from a database, another tool): they are L2-normalised, and
    /// kept as <see cref="Raw"/>.
    /// </summary>
    /// <param name="values">The raw or already normalised values.</param>
    /// <param name="source">The fingerprint of the weights that produced them (see <see cref="IFaceEncoder.Fingerprint"/>).</param>
    /// <exception cref="ArgumentException">The values are empty, contain NaN or infinity, or are all zero; or <paramref name="source"/> is empty.</exception>
    public static FaceEmbedding FromValues(ReadOnlySpan<float> values, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (values.IsEmpty) throw new ArgumentException("An embedding needs at least one value.", nameof(values));
        double squares = 0;
        foreach (var v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException("An embedding cannot contain NaN or infinity.", nameof(values));
            squares += (double)v * v;
        }
        if (squares == 0) throw new ArgumentException("An all-zero vector has no direction and cannot be normalised.", nameof(values));
        var raw = values.ToArray();
        return new FaceEmbedding(Normalize(raw), raw, source);
    }

    /// <summary>L2-normalises a copy of <paramref name="raw"/>, dividing by max(norm, 1e-12) as torch's F.normalize does.</summary>
    internal static float[] Normalize(ReadOnlySpan<float> raw)
    {
        double squares = 0;
        foreach (var v in raw) squares += (double)v * v;
        double scale = 1.0 / Math.Max(Math.Sqrt(squares), 1e-12);
        var result = new float[raw.Length];
        for (int i = 0; i < raw.Length; i++) result[i] = (float)(raw[i] * scale);
        return result;
    }

    /// <summary>The normalised values without a copy, for the library's own read-only use.</summary>
    internal float[] VectorArray => _vector;

    /// <summary>A short description: dimension and source.</summary>
    public override string ToString() => $"FaceEmbedding({Dimension}-d, source {Source})";
}
