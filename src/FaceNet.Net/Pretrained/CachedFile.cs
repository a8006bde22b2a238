namespace FaceNet.Net.Pretrained;

/// <summary>One checked file in the cache.</summary>
/// <param name="Path">The file.</param>
/// <param name="Sha256">Its SHA-256 (lowercase hex).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="StructureChecked">True when this call checked the file's structure (a fresh download). False for a file
/// already in the cache (checked when it was downloaded; its size and hash are checked now), and for a freshly
/// downloaded PyTorch <c>.pt</c> FaceNet file that this build's loader cannot read (its size and hash were still checked).</param>
/// <param name="Downloaded">True when this call downloaded the file; false when it was already in the cache.</param>
public sealed record CachedFile(string Path, string Sha256, long Bytes, bool StructureChecked, bool Downloaded = false);
