using FaceNet.Net.Imaging;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// One entry of the catalogue of published weights (<see cref="PretrainedCatalog"/>): where the files come from, how to
/// check them, and how to use them. Immutable.
/// </summary>
/// <param name="Name">The catalogue name (<c>vggface2</c>), accepted wherever weights are asked for.</param>
/// <param name="Kind">FaceNet embedding weights or MTCNN detector weights.</param>
/// <param name="Files">The files (one for FaceNet weights; <c>pnet</c>, <c>rnet</c>, <c>onet</c> for MTCNN).</param>
/// <param name="EmbeddingSize">D, for FaceNet weights (checked when the file is downloaded); null for MTCNN.</param>
/// <param name="Preprocessing">The pixel preprocessing the weights were trained with; null for MTCNN.</param>
/// <param name="EuclideanThreshold">A published Euclidean threshold on L2-normalised embeddings for these weights, or null when none is published.</param>
/// <param name="CosineThreshold">A published cosine-distance threshold, or null.</param>
/// <param name="Licence">The licence the files are published under, as the source states it.</param>
/// <param name="Source">Who publishes the files and what they were made from.</param>
public sealed record PretrainedWeights(
    string Name, PretrainedKind Kind, IReadOnlyList<PretrainedFile> Files, int? EmbeddingSize, PreprocessingMode? Preprocessing,
    float? EuclideanThreshold, float? CosineThreshold, string Licence, string Source)
{
    /// <summary>True when every file has a URL (the entry can be fetched); false for a manual entry.</summary>
    public bool IsDownloadable => Files.All(f => f.Url is not null);
}
