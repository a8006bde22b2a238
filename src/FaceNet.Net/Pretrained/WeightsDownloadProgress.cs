namespace FaceNet.Net.Pretrained;

/// <summary>How far a download has come.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes on disk so far (a resumed download starts from what an earlier attempt kept).</param>
/// <param name="TotalBytes">The file's size, when the server or the catalogue says.</param>
public sealed record WeightsDownloadProgress(string FileName, long BytesReceived, long? TotalBytes)
{
    /// <summary>The fraction done, from 0 to 1, or null when the size is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? Math.Clamp((double)BytesReceived / TotalBytes.Value, 0, 1) : null;
}
