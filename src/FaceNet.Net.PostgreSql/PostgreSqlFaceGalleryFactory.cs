using FaceNet.Net.Recognition;

namespace FaceNet.Net.PostgreSql;

/// <summary>
/// Opens <see cref="PostgreSqlFaceGallery"/> galleries by location: a <c>postgresql://</c> or <c>postgres://</c> URI
/// (<c>?schema=name</c> picks the gallery's schema) or an Npgsql connection string with <c>Host=</c>. The password
/// comes from the location, or better from <c>PGPASSWORD</c>, <c>PGPASSFILE</c> or <c>~/.pgpass</c> (Npgsql reads
/// them). Each opened gallery owns its own connection pool. Thread-safe.
/// </summary>
public sealed class PostgreSqlFaceGalleryFactory : IFaceGalleryFactory
{
    private readonly PostgreSqlFaceGalleryOptions _options;

    /// <summary>A factory whose galleries use <see cref="PostgreSqlFaceGalleryOptions.Default"/>.</summary>
    public PostgreSqlFaceGalleryFactory()
        : this(PostgreSqlFaceGalleryOptions.Default)
    {
    }

    /// <summary>A factory whose galleries use <paramref name="options"/> (a URI's <c>schema</c> parameter overrides its schema).</summary>
    public PostgreSqlFaceGalleryFactory(PostgreSqlFaceGalleryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The location with any password replaced by <c>***</c>, for messages and logs.</summary>
    public static string Redact(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return PostgreSqlLocation.Redact(location);
    }

    /// <inheritdoc />
    public bool CanOpen(string location) => location is not null && PostgreSqlLocation.IsPostgreSql(location);

    /// <inheritdoc />
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached, or pgvector is missing.</exception>
    public async Task<IFaceGallery> OpenAsync(string location, string fingerprint, int embeddingSize, CancellationToken cancellationToken = default)
    {
        if (!CanOpen(location))
            throw new ArgumentException("The location is not a PostgreSQL URI (postgresql://...) or connection string (Host=...).", nameof(location));
        return await PostgreSqlFaceGallery.OpenAsync(location, fingerprint, embeddingSize, _options, cancellationToken).ConfigureAwait(false);
    }
}
