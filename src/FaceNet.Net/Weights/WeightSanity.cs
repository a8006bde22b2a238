namespace FaceNet.Net.Weights;

/// <summary>
/// Refuses weights no trained network holds, whatever the file's format: a NaN or infinite value in any tensor, and a
/// negative BatchNorm running variance (the layer divides by √(var + ε), so var &lt; 0 gives NaN or a huge scale).
/// Such files load without complaint otherwise and give finite but wrong embeddings. Stateless and thread-safe.
/// </summary>
internal static class WeightSanity
{
    /// <summary>The suffix of BatchNorm running variances in torch names.</summary>
    public const string RunningVarianceSuffix = "running_var";

    /// <summary>Checks every value of every tensor.</summary>
    /// <param name="weights">The tensors, by torch name.</param>
    /// <param name="path">The file they came from, named in the message.</param>
    /// <exception cref="WeightLoadException">A tensor holds a non-finite value, or a running variance is negative; the message names the tensor and the file.</exception>
    public static void Check(WeightSet weights, string path)
    {
        foreach (var t in weights.Tensors)
        {
            var values = t.Values;
            bool variance = t.Name.EndsWith(RunningVarianceSuffix, StringComparison.Ordinal);
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                if (!float.IsFinite(v))
                    throw new WeightLoadException(
                        $"'{path}': tensor '{t.Name}' holds {Describe(v)} at index {i}; trained weights are finite, so the file is corrupt or was tampered with: use an intact copy");
                if (variance && v < 0)
                    throw new WeightLoadException(
                        $"'{path}': tensor '{t.Name}' holds a negative BatchNorm variance ({v.ToString("G9", System.Globalization.CultureInfo.InvariantCulture)} at index {i}); variances are never negative, so the file is corrupt or was tampered with: use an intact copy");
            }
        }
    }

    private static string Describe(float v) => float.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";
}
