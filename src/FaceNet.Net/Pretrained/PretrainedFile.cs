namespace FaceNet.Net.Pretrained;

/// <summary>One file of a catalogue entry.</summary>
/// <param name="FileName">The file's name in the cache (and the last segment of its URL, kept when a mirror replaces the base).</param>
/// <param name="Url">Where it is published, or null when there is no stable URL (a manual entry: put the file in the cache yourself).</param>
/// <param name="Size">Its size in bytes when known (checked on every use), else null.</param>
/// <param name="Sha256">Its SHA-256 (lowercase hex) when pinned (enforced on download and on every use), else null: the hash
/// recorded at the first download is checked instead (trust on first use).</param>
public sealed record PretrainedFile(string FileName, string? Url, long? Size = null, string? Sha256 = null);
