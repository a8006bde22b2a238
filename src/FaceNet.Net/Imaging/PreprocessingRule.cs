namespace FaceNet.Net.Imaging;

/// <summary>
/// The one rule that picks the preprocessing for a network's images, used by the encoder, training datasets and
/// checkpoint embedders alike. Stateless, thread-safe.
/// </summary>
internal static class PreprocessingRule
{
    /// <summary>
    /// <paramref name="requested"/> (an option) when given; else what the weights declare; else
    /// <see cref="PreprocessingMode.Prewhiten"/>, the convention of the published Keras FaceNet weights.
    /// </summary>
    public static PreprocessingMode Choose(PreprocessingMode? requested, PreprocessingMode? declared) =>
        requested ?? declared ?? PreprocessingMode.Prewhiten;
}
