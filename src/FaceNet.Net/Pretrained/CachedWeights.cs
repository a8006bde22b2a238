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

/// <summary>One checked file in the cache.</summary>
/// <param name="Path">The file.</param>
/// <param name="Sha256">Its SHA-256 (lowercase hex).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="StructureChecked">True when this call checked the file's structure (a fresh download). False for a file
/// already in the cache (checked when it was downloaded; its size and hash are checked now), and for a freshly
/// downloaded PyTorch <c>.pt</c> FaceNet file that this build's loader cannot read (its size and hash were still checked).</param>
public sealed record CachedFile(string Path, string Sha256, long Bytes, bool StructureChecked);
