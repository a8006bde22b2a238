namespace FaceNet.Net.Weights;

/// <summary>
/// Every weight a file lacks, holds in excess, or holds in another shape than the network needs, gathered so that
/// one <see cref="WeightLoadException"/> lists them all with the file's name. The one mismatch report of the
/// library: Keras h5 and safetensors network weights, MTCNN weights and training checkpoints all use it.
/// Not thread-safe (a builder filled by one loader).
/// </summary>
internal sealed class WeightMismatch
{
    /// <summary>How many names a message lists per kind before "... and N more".</summary>
    private const int NamesPerKind = 8;

    /// <summary>Weights the network needs that the file lacks.</summary>
    public List<string> Missing { get; } = [];

    /// <summary>Weights in the file the network has no place for.</summary>
    public List<string> Unexpected { get; } = [];

    /// <summary>Weights whose shape differs from the network's, each with both shapes.</summary>
    public List<string> Misshaped { get; } = [];

    /// <summary>Whether everything fits.</summary>
    public bool IsEmpty => Missing.Count + Unexpected.Count + Misshaped.Count == 0;

    /// <summary>Compares what a file holds with what a network needs, by name and shape (names compared ordinally).</summary>
    /// <param name="expected">The network's tensors, in the order to report them.</param>
    /// <param name="actual">The file's tensors.</param>
    public static WeightMismatch Between(IEnumerable<(string Name, long[] Shape)> expected, IEnumerable<(string Name, long[] Shape)> actual)
    {
        var mismatch = new WeightMismatch();
        var held = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (name, shape) in actual)
            if (held.TryAdd(name, shape)) order.Add(name);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            needed.Add(name);
            if (!held.TryGetValue(name, out var found)) mismatch.Missing.Add(name);
            else if (!found.SequenceEqual(shape)) mismatch.AddMisshaped(name, found, shape);
        }
        mismatch.Unexpected.AddRange(order.Where(n => !needed.Contains(n)));
        return mismatch;
    }

    /// <summary>Compares a float32 weight set with a network's tensor shapes.</summary>
    public static WeightMismatch Between(IEnumerable<(string Name, long[] Shape)> expected, WeightSet weights) =>
        Between(expected, weights.Tensors.Select(t => (t.Name, t.Shape)));

    /// <summary>Records a weight found with <paramref name="found"/> where the network needs <paramref name="expected"/>.</summary>
    public void AddMisshaped(string name, IEnumerable<long> found, IEnumerable<long> expected) =>
        Misshaped.Add($"{name} {Shapes.Format(found)}, expected {Shapes.Format(expected)}");

    /// <summary>
    /// The exception listing everything, e.g. <c>'f.h5': its weights do not fit the 128-d Inception-ResNet-v1: 2 missing (a, b); 1 unexpected (c)</c>.
    /// </summary>
    /// <param name="file">The file the weights come from; null when they were built in memory.</param>
    /// <param name="network">What they were checked against, as a noun phrase ("the 128-d Inception-ResNet-v1", "MTCNN's PNet").</param>
    /// <param name="hint">Appended to the message (start it with a separator), or empty.</param>
    public WeightLoadException ToException(string? file, string network, string hint = "")
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing ({List(Missing)})");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected ({List(Unexpected)})");
        if (Misshaped.Count > 0) parts.Add($"{Misshaped.Count} mis-shaped ({List(Misshaped)})");
        var subject = file is null ? "the weights" : $"'{file}': its weights";
        return new WeightLoadException($"{subject} do not fit {network}: {string.Join("; ", parts)}{hint}",
            Missing.ToList(), Unexpected.ToList(), Misshaped.ToList());
    }

    /// <summary>Throws <see cref="ToException"/> unless everything fits.</summary>
    /// <exception cref="WeightLoadException">Something is missing, unexpected or mis-shaped.</exception>
    public void ThrowIfAny(string? file, string network)
    {
        if (!IsEmpty) throw ToException(file, network);
    }

    private static string List(List<string> names) =>
        names.Count <= NamesPerKind ? string.Join(", ", names) : string.Join(", ", names.Take(NamesPerKind)) + $", ... and {names.Count - NamesPerKind} more";
}
