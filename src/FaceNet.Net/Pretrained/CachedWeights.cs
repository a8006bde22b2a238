namespace FaceNet.Net.Pretrained;

/// <summary>Weights in the cache, checked, as <see cref="WeightsCache.FetchAsync"/> returns them.</summary>
/// <param name="Name">The catalogue name, or the file name for a URL.</param>
/// <param name="Path">The local path: the file, or for MTCNN the folder that holds <c>pnet</c>, <c>rnet</c> and <c>onet</c>.</param>
/// <param name="Files">Each file with its SHA-256 and size.</param>
/// <param name="Entry">The catalogue entry, or null for a plain URL.</param>
public sealed record CachedWeights(string Name, string Path, IReadOnlyList<CachedFile> Files, PretrainedWeights? Entry)
{
    /// <summary>The SHA-256 of the one file, or null for a several-file entry (see <see cref="Files"/>).</summary>
    public string? Sha256 => Files.Count == 1 ? Files[0].Sha256 : null;

    /// <summary>The total size in bytes.</summary>
    public long Bytes => Files.Sum(f => f.Bytes);
}
