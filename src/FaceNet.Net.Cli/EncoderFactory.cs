using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;

namespace FaceNet.Net.Cli;

/// <summary>Creates an encoder for a command; the commands receive it as a delegate so tests can pass their own.</summary>
/// <param name="weightsPath">The weights file: <c>--weights</c> resolved to a local path (a file given, or a catalogue name or URL fetched into the cache).</param>
/// <param name="mode">The preprocessing given with <c>--preprocess</c>, else the catalogue entry's, or null for the weights' own convention.</param>
/// <param name="mtcnnFolder">The MTCNN weights folder, <c>--mtcnn</c> resolved to a local folder (a folder given, or the catalogue's mtcnn fetched into the cache; inputs are photos), or null (inputs are aligned faces).</param>
internal delegate IFaceEncoder CreateEncoder(string weightsPath, PreprocessingMode? mode, string? mtcnnFolder);

/// <summary>
/// The one place where the <c>facenet</c> tool turns a weights file into an encoder. Every command that needs
/// weights (verify, enroll, identify) goes through <see cref="Create"/>.
/// </summary>
internal static class EncoderFactory
{
    /// <summary>Loads <paramref name="weightsPath"/> and wraps it in a <see cref="FaceEncoder"/>.</summary>
    /// <exception cref="FaceNet.Net.Weights.WeightLoadException">The weights file is not FaceNet weights.</exception>
    public static IFaceEncoder Create(string weightsPath, PreprocessingMode? mode, string? mtcnnFolder)
    {
        var options = new FaceEncoderOptions { Preprocessing = mode };
        return mtcnnFolder is null
            ? FaceEncoder.FromWeights(weightsPath, options)
            : FaceEncoder.FromWeights(weightsPath, mtcnnFolder, options);
    }
}
