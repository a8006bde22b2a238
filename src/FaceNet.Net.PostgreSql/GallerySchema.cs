using FaceNet.Net.Recognition;
using Npgsql;

namespace FaceNet.Net.PostgreSql;

/// <summary>
/// The gallery's tables in one schema, created and migrated by the library. Version 1: <c>gallery</c> (one row:
/// schema version, weights fingerprint, embedding size, index metric), <c>identities</c> (id in enrolment order,
/// unique name), <c>embeddings</c> (identity, <c>vector(D)</c>) with an HNSW index. Migrations run in one transaction
/// under an advisory lock, so processes opening the same gallery at once create it once.
/// </summary>
internal sealed class GallerySchema
{
    /// <summary>The version this library writes and reads; a newer one is refused.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The advisory lock every migration takes (any value unlikely to collide with an application's).</summary>
    private const long MigrationLock = 0x46_61_63_65_4E_65_74; // "FaceNet"

    public GallerySchema(string schema)
    {
        Name = schema;
        Meta = $"\"{schema}\".gallery";
        Identities = $"\"{schema}\".identities";
        Embeddings = $"\"{schema}\".embeddings";
        IndexName = "embeddings_hnsw";
    }

    public string Name { get; }

    public string Meta { get; }

    public string Identities { get; }

    public string Embeddings { get; }

    public string IndexName { get; }

    /// <summary>The stored description of the gallery, or null when the schema holds none.</summary>
    public sealed record Description(int Version, string Fingerprint, int EmbeddingSize, DistanceMetric IndexMetric);

    /// <summary>pgvector's operator class and distance operator for the index metric.</summary>
    public static (string OperatorClass, string Operator) Operators(DistanceMetric indexMetric) =>
        indexMetric == DistanceMetric.Cosine ? ("vector_cosine_ops", "<=>") : ("vector_l2_ops", "<->");

    /// <summary>Reads the gallery row; null when the schema has no gallery.</summary>
    public async Task<Description?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection, transaction))
        {
            exists.Parameters.AddWithValue(Meta);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!) return null;
        }
        await using var read = new NpgsqlCommand($"SELECT schema_version, fingerprint, embedding_size, index_metric FROM {Meta}", connection, transaction);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new Description(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2),
            reader.GetString(3) == "cosine" ? DistanceMetric.Cosine : DistanceMetric.Euclidean);
    }

    /// <summary>
    /// Creates the gallery when the schema has none, migrates an older one, and returns its description; a newer
    /// version is refused. Creates the pgvector extension when missing (which needs the right to).
    /// </summary>
    /// <returns>The description and whether the <c>vector</c> extension was created now (the connection's types must then be reloaded).</returns>
    public async Task<(Description Description, bool CreatedExtension)> EnsureAsync(NpgsqlConnection connection, string fingerprint, int embeddingSize,
        PostgreSqlFaceGalleryOptions options, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
        bool createdExtension = false;
        await using (var has = new NpgsqlCommand("SELECT count(*) FROM pg_extension WHERE extname = 'vector'", connection, transaction))
        {
            if ((long)(await has.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                try
                {
                    await ExecuteAsync(connection, transaction, "CREATE EXTENSION IF NOT EXISTS vector", cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (e.SqlState is "58P01" or "0A000" or "42501")
                {
                    throw new PostgreSqlGalleryException(e.SqlState == "42501"
                        ? $"The pgvector extension is not enabled in this database and the user may not create it: run 'CREATE EXTENSION vector' as a superuser once ({e.MessageText})."
                        : $"The pgvector extension is not installed on the PostgreSQL server: install pgvector 0.8 (docs/recognition.md, 'Which gallery') ({e.MessageText}).", e);
                }
                createdExtension = true;
            }
        }
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{Name}\"", cancellationToken).ConfigureAwait(false);
        var found = await ReadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        Description description;
        if (found is null)
        {
            description = new Description(CurrentVersion, fingerprint, embeddingSize, options.IndexMetric);
            for (int version = 1; version <= CurrentVersion; version++)
                await ExecuteAsync(connection, transaction, Migration(version, embeddingSize, options), cancellationToken).ConfigureAwait(false);
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {Meta} (schema_version, fingerprint, embedding_size, index_metric) VALUES ($1, $2, $3, $4)", connection, transaction);
            insert.Parameters.AddWithValue(CurrentVersion);
            insert.Parameters.AddWithValue(fingerprint);
            insert.Parameters.AddWithValue(embeddingSize);
            insert.Parameters.AddWithValue(options.IndexMetric == DistanceMetric.Cosine ? "cosine" : "euclidean");
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (found.Version > CurrentVersion)
                throw new PostgreSqlGalleryException($"The gallery in schema '{Name}' has schema version {found.Version}; this library knows up to {CurrentVersion}: update FaceNet.Net.PostgreSql.");
            CheckWeights(found, fingerprint, embeddingSize);
            for (int version = found.Version + 1; version <= CurrentVersion; version++)
                await ExecuteAsync(connection, transaction, Migration(version, found.EmbeddingSize, options), cancellationToken).ConfigureAwait(false);
            if (found.Version < CurrentVersion)
                await ExecuteAsync(connection, transaction, $"UPDATE {Meta} SET schema_version = {CurrentVersion}", cancellationToken).ConfigureAwait(false);
            description = found with { Version = CurrentVersion };
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (description, createdExtension);
    }

    /// <summary>Refuses a gallery built with other weights or another embedding size, as a gallery file is refused.</summary>
    public void CheckWeights(Description found, string fingerprint, int embeddingSize)
    {
        if (found.Fingerprint == fingerprint && found.EmbeddingSize == embeddingSize) return;
        throw new GalleryWeightsMismatchException(
            $"The gallery in PostgreSQL schema '{Name}' was built with weights {found.Fingerprint} ({found.EmbeddingSize}-d), not with the weights in use " +
            $"({fingerprint}, {embeddingSize}-d): its distances would be meaningless. Enrol the people again with these weights in another schema, or use the weights the gallery was built with.",
            fingerprint, found.Fingerprint);
    }

    /// <summary>The SQL that brings the schema from version - 1 to <paramref name="version"/>.</summary>
    private string Migration(int version, int embeddingSize, PostgreSqlFaceGalleryOptions options) => version switch
    {
        1 => $"""
            CREATE TABLE {Meta} (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                schema_version integer NOT NULL,
                fingerprint text NOT NULL,
                embedding_size integer NOT NULL CHECK (embedding_size > 0),
                index_metric text NOT NULL CHECK (index_metric IN ('euclidean', 'cosine')));
            CREATE TABLE {Identities} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE);
            CREATE TABLE {Embeddings} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                identity_id bigint NOT NULL REFERENCES {Identities} (id) ON DELETE CASCADE,
                embedding vector({embeddingSize}) NOT NULL);
            CREATE INDEX embeddings_identity ON {Embeddings} (identity_id);
            {CreateIndexSql(options)};
            """,
        _ => throw new InvalidOperationException($"No migration to schema version {version}."),
    };

    /// <summary>CREATE INDEX for the HNSW index with the options' metric and parameters.</summary>
    public string CreateIndexSql(PostgreSqlFaceGalleryOptions options) =>
        $"CREATE INDEX IF NOT EXISTS {IndexName} ON {Embeddings} USING hnsw (embedding {Operators(options.IndexMetric).OperatorClass}) " +
        $"WITH (m = {options.HnswM}, ef_construction = {options.HnswEfConstruction})";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
