using FaceNet.Net.Embeddings;
using TorchSharp;

namespace FaceNet.Net.Recognition;

/// <summary>
/// Distances between embeddings: for one pair (on spans, sums in double), and as a matrix between two sets
/// (tensor operations, [M, D] x [N, D] → [M, N]). Thread-safe (stateless).
/// </summary>
public static class Distances
{
    /// <summary>‖a − b‖.</summary>
    public static float Euclidean(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => (float)Math.Sqrt(SquaredEuclideanDouble(a, b));

    /// <summary>‖a − b‖².</summary>
    public static float SquaredEuclidean(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => (float)SquaredEuclideanDouble(a, b);

    /// <summary>a·b / (‖a‖ ‖b‖); 0 when either vector is all zero.</summary>
    public static float CosineSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a, b);
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        if (aa == 0 || bb == 0) return 0f;
        return (float)(dot / (Math.Sqrt(aa) * Math.Sqrt(bb)));
    }

    /// <summary>1 − <see cref="CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.</summary>
    public static float CosineDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => 1f - CosineSimilarity(a, b);

    /// <summary>The distance between <paramref name="a"/> and <paramref name="b"/> under <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, DistanceMetric metric) => metric switch
    {
        DistanceMetric.Euclidean => Euclidean(a, b),
        DistanceMetric.SquaredEuclidean => SquaredEuclidean(a, b),
        DistanceMetric.Cosine => CosineDistance(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric."),
    };

    /// <summary>The distance between two embeddings' normalised vectors under <paramref name="metric"/>.</summary>
    /// <exception cref="ArgumentNullException">An embedding is null.</exception>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static float Compute(FaceEmbedding a, FaceEmbedding b, DistanceMetric metric = DistanceMetric.Euclidean)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compute(a.Vector.Span, b.Vector.Span, metric);
    }

    /// <summary>
    /// All distances between the rows of <paramref name="a"/> [M, D] and of <paramref name="b"/> [N, D] as an [M, N]
    /// float32 tensor (the caller disposes it). Euclidean uses <c>torch.cdist</c>; the others one matrix product.
    /// </summary>
    /// <exception cref="ArgumentException">The tensors are not 2-D with the same number of columns.</exception>
    public static torch.Tensor Matrix(torch.Tensor a, torch.Tensor b, DistanceMetric metric)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.ndim != 2 || b.ndim != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"Distance matrices need [M, D] and [N, D] tensors; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        FaceNetRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var x = a.to_type(torch.ScalarType.Float32);
        var y = b.to_type(torch.ScalarType.Float32);
        torch.Tensor result = metric switch
        {
            DistanceMetric.Euclidean => torch.cdist(x, y),
            DistanceMetric.SquaredEuclidean => (x.square().sum(1).unsqueeze(1) + y.square().sum(1).unsqueeze(0) - 2 * x.matmul(y.t())).clamp_min(0),
            DistanceMetric.Cosine => 1 - CosineSimilarityMatrix(x, y),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric."),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>All cosine similarities between the rows of <paramref name="a"/> [M, D] and <paramref name="b"/> [N, D], as [M, N].</summary>
    /// <exception cref="ArgumentException">The tensors are not 2-D with the same number of columns.</exception>
    public static torch.Tensor CosineSimilarityMatrix(torch.Tensor a, torch.Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.ndim != 2 || b.ndim != 2 || a.shape[1] != b.shape[1])
            throw new ArgumentException($"Similarity matrices need [M, D] and [N, D] tensors; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        FaceNetRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var x = torch.nn.functional.normalize(a.to_type(torch.ScalarType.Float32), dim: 1);
        var y = torch.nn.functional.normalize(b.to_type(torch.ScalarType.Float32), dim: 1);
        return x.matmul(y.t()).MoveToOuterDisposeScope();
    }

    /// <summary>All distances between two lists of embeddings, as a [M, N] array.</summary>
    /// <exception cref="ArgumentException">A list is empty, holds null, or the dimensions differ.</exception>
    public static float[,] Matrix(IReadOnlyList<FaceEmbedding> a, IReadOnlyList<FaceEmbedding> b, DistanceMetric metric = DistanceMetric.Euclidean)
    {
        using var scope = torch.NewDisposeScope();
        using var x = Stack(a, nameof(a));
        using var y = Stack(b, nameof(b));
        using var m = Matrix(x, y, metric);
        var values = m.data<float>().ToArray();
        var result = new float[a.Count, b.Count];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    internal static torch.Tensor Stack(IReadOnlyList<FaceEmbedding> embeddings, string name)
    {
        ArgumentNullException.ThrowIfNull(embeddings, name);
        if (embeddings.Count == 0) throw new ArgumentException("The list of embeddings is empty.", name);
        int d = embeddings[0]?.Dimension ?? throw new ArgumentException("The list holds a null embedding.", name);
        var data = new float[(long)embeddings.Count * d];
        for (int i = 0; i < embeddings.Count; i++)
        {
            var e = embeddings[i] ?? throw new ArgumentException($"Embedding {i} is null.", name);
            if (e.Dimension != d) throw new ArgumentException($"Embedding {i} has {e.Dimension} values; the first has {d}.", name);
            e.Vector.Span.CopyTo(data.AsSpan(i * d, d));
        }
        FaceNetRuntime.EnsureInitialized();
        return torch.tensor(data, [embeddings.Count, d]);
    }

    private static double SquaredEuclideanDouble(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        CheckLengths(a, b);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private static void CheckLengths(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"Embeddings of different dimensions cannot be compared ({a.Length} and {b.Length}).");
        if (a.Length == 0) throw new ArgumentException("Empty embeddings cannot be compared.");
    }
}
