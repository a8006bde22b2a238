using System.Text.RegularExpressions;

namespace FaceNet.Net.Recognition;

/// <summary>
/// Opens gallery files as <see cref="FileFaceGallery"/>. Takes every location that is not a URI
/// (<c>scheme://...</c>) or a <c>Key=value;...</c> connection string; a file whose name looks like one can be given
/// as <c>./name</c>. Stateless and thread-safe.
/// </summary>
public sealed partial class FileFaceGalleryFactory : IFaceGalleryFactory
{
    /// <inheritdoc />
    public bool CanOpen(string location) =>
        !string.IsNullOrWhiteSpace(location) && !location.Contains("://", StringComparison.Ordinal) && !ConnectionStringForm().IsMatch(location);

    /// <inheritdoc />
    /// <remarks>The file is read now (when it exists); it is written after each successful change.</remarks>
    public Task<IFaceGallery> OpenAsync(string location, string fingerprint, int embeddingSize, CancellationToken cancellationToken = default)
    {
        if (!CanOpen(location))
            throw new ArgumentException($"'{location}' is not a gallery file path (it looks like a URI or a connection string).", nameof(location));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IFaceGallery>(FileFaceGallery.Open(location, fingerprint, embeddingSize));
    }

    /// <summary>Starts with <c>Key=value;</c> or is one <c>Key=value</c> (ADO.NET connection strings: <c>Host=db;Username=app</c>).</summary>
    [GeneratedRegex(@"^\s*[A-Za-z][A-Za-z0-9 _]*\s*=[^;]*(;|$)")]
    private static partial Regex ConnectionStringForm();
}
