using System.Text.Json;

namespace FaceNet.Net.Evaluation;

/// <summary>
/// A JSON file of precomputed embeddings: one object mapping an image path (relative to the image folder, with '/'
/// separators, e.g. <c>"Aaron_Peirsol/Aaron_Peirsol_0001.jpg"</c>) to its embedding, an array of numbers. Lets
/// evaluation run on embeddings made by any model. Thread-safe (static, no state).
/// </summary>
public static class EmbeddingsFile
{
    /// <summary>Reads the file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FaceNetException">It is not an object of number arrays.</exception>
    public static IReadOnlyDictionary<string, float[]> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Embeddings file '{path}' does not exist.", path);
        try
        {
            var map = JsonSerializer.Deserialize<Dictionary<string, float[]>>(File.ReadAllText(path));
            if (map is null || map.Count == 0) throw new FaceNetException($"Embeddings file '{path}' holds no embedding.");
            return map.ToDictionary(kv => Key(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new FaceNetException($"Embeddings file '{path}' is not a JSON object of path → number array: {e.Message}", e);
        }
    }

    /// <summary>Writes the file atomically (temporary file, then rename).</summary>
    public static void Write(string path, IReadOnlyDictionary<string, float[]> embeddings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(embeddings);
        var sorted = new SortedDictionary<string, float[]>(embeddings.ToDictionary(kv => Key(kv.Key), kv => kv.Value), StringComparer.Ordinal);
        IO.AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, sorted));
    }

    /// <summary>An embedding function over this file's entries, for <see cref="PairDistances.Compute"/>: each path is looked
    /// up relative to <paramref name="imageRoot"/>, with its extension or with <c>.jpg</c>/<c>.png</c> swapped.</summary>
    /// <exception cref="FaceNetException">(When called) an image has no entry.</exception>
    public static Func<IReadOnlyList<string>, float[][]> Lookup(IReadOnlyDictionary<string, float[]> embeddings, string imageRoot)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(imageRoot);
        return paths => paths.Select(p =>
        {
            var key = Key(Path.GetRelativePath(imageRoot, p));
            var stem = Path.ChangeExtension(key, null);
            foreach (var k in new[] { key, stem + ".jpg", stem + ".png" })
                if (embeddings.TryGetValue(k, out var v)) return v;
            throw new FaceNetException($"The embeddings file has no entry for '{key}'.");
        }).ToArray();
    }

    /// <summary>A path as a key: '/' separators.</summary>
    public static string Key(string relativePath) => relativePath.Replace('\\', '/');
}
