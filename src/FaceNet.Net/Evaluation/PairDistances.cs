namespace FaceNet.Net.Evaluation;

/// <summary>
/// Turns pairs of images into distances with any embedding function: every distinct image is embedded once, the
/// embeddings are L2-normalised, and each pair gets the Euclidean distance between its two. Thread-safe if the
/// embedding function is.
/// </summary>
public static class PairDistances
{
    /// <summary>Embeds the pairs' images under <paramref name="imageRoot"/> and returns (distance, same) in pair order.</summary>
    /// <param name="pairs">The pairs (e.g. <see cref="LfwPairsFile.Pairs"/>).</param>
    /// <param name="imageRoot">The LFW-style image folder (<c>&lt;root&gt;/&lt;name&gt;/&lt;name&gt;_0001.jpg</c>).</param>
    /// <param name="embed">Maps image paths to one embedding each, in order (any length, the same for all).</param>
    /// <exception cref="FaceNetException">The function returned the wrong number of embeddings, mixed lengths, a zero
    /// vector or a non-finite value.</exception>
    public static IReadOnlyList<(float Distance, bool Same)> Compute(IReadOnlyList<LfwPair> pairs, string imageRoot, Func<IReadOnlyList<string>, float[][]> embed)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(imageRoot);
        ArgumentNullException.ThrowIfNull(embed);
        var paths = pairs.SelectMany(p => new[] { p.FirstPath(imageRoot), p.SecondPath(imageRoot) }).Distinct(StringComparer.Ordinal).ToList();
        var embeddings = embed(paths) ?? throw new FaceNetException("The embedding function returned null.");
        if (embeddings.Length != paths.Count)
            throw new FaceNetException($"The embedding function returned {embeddings.Length} embeddings for {paths.Count} images.");
        var byPath = new Dictionary<string, float[]>(StringComparer.Ordinal);
        int dim = embeddings.Length > 0 ? embeddings[0]?.Length ?? 0 : 0;
        for (int i = 0; i < paths.Count; i++) byPath[paths[i]] = Normalised(embeddings[i], dim, paths[i]);
        return pairs.Select(p => (Distance(byPath[p.FirstPath(imageRoot)], byPath[p.SecondPath(imageRoot)]), p.IsSame)).ToArray();
    }

    /// <summary>The Euclidean distance between two vectors of equal length.</summary>
    public static float Distance(float[] a, float[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length) throw new ArgumentException($"Vectors of length {a.Length} and {b.Length} cannot be compared.");
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)(a[i] - b[i]) * (a[i] - b[i]);
        return (float)Math.Sqrt(s);
    }

    private static float[] Normalised(float[]? v, int dim, string path)
    {
        if (v is null || v.Length == 0 || v.Length != dim)
            throw new FaceNetException($"The embedding of '{path}' has length {v?.Length ?? 0}; every embedding must have length {dim} > 0.");
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        if (!double.IsFinite(norm) || norm == 0)
            throw new FaceNetException($"The embedding of '{path}' is zero or not finite and cannot be normalised.");
        return v.Select(x => (float)(x / norm)).ToArray();
    }
}
