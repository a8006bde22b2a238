using System.Runtime.CompilerServices;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace FaceNet.Net.PostgreSql;

/// <summary>
/// A gallery in PostgreSQL with pgvector: identities and their embeddings (<c>vector(D)</c>) in one schema, searched
/// through an HNSW index, the candidates' distances then recomputed exactly (<see cref="PostgreSqlFaceGalleryOptions.ExactReRank"/>)
/// with the same code as <see cref="InMemoryFaceGallery"/>. The schema is created and migrated by the library; the
/// weights fingerprint and embedding size are stored with it and enforced: a gallery, a probe or an enrolment of
/// other weights is refused with <see cref="GalleryWeightsMismatchException"/>.
/// </summary>
/// <remarks>
/// <para>Thread-safe, and safe for many processes at once: every call takes its own pooled connection, every write
/// is one transaction (an enrolment is all or nothing, even when the connection drops in the middle), names are
/// unique in the table, and opening a gallery creates or migrates it under an advisory lock.</para>
/// <para>Failures: the server down or unreachable within the connection string's <c>Timeout</c> (default 15 s), or a
/// connection lost during a call, are a <see cref="PostgreSqlGalleryException"/> naming the server.</para>
/// <para>Disposing releases the connection pool the gallery created from a connection string; a data source passed
/// in stays the caller's.</para>
/// </remarks>
public sealed class PostgreSqlFaceGallery : IFaceGallery
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly GallerySchema _schema;
    private readonly PostgreSqlFaceGalleryOptions _options;
    private readonly DistanceMetric _indexMetric;
    private readonly string _server;
    private int _disposed;

    private PostgreSqlFaceGallery(NpgsqlDataSource dataSource, bool ownsDataSource, GallerySchema schema, GallerySchema.Description description,
        PostgreSqlFaceGalleryOptions options)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _schema = schema;
        _options = options;
        _indexMetric = description.IndexMetric;
        _server = Server(dataSource);
        Fingerprint = description.Fingerprint;
        EmbeddingSize = description.EmbeddingSize;
    }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public int EmbeddingSize { get; }

    /// <summary>The PostgreSQL schema that holds this gallery.</summary>
    public string Schema => _schema.Name;

    /// <summary>The distance the HNSW index was built for (stored with the gallery).</summary>
    public DistanceMetric IndexMetric => _indexMetric;

    /// <summary>Test hook: runs inside an enrolment's transaction just before it commits.</summary>
    internal Func<NpgsqlConnection, Task>? BeforeCommit { get; set; }

    /// <summary>
    /// Opens (creating or migrating when needed) the gallery in <paramref name="options"/>' schema of the database
    /// <paramref name="connectionString"/> names, for embeddings of <paramref name="embeddingSize"/> values made with
    /// the weights <paramref name="fingerprint"/>. The gallery owns the connection pool it creates.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string (<c>Host=...;Database=...;Username=...</c>) or a
    /// <c>postgresql://</c> URI. Leave the password out: Npgsql reads <c>PGPASSWORD</c>, <c>PGPASSFILE</c> or <c>~/.pgpass</c>.</param>
    /// <param name="fingerprint">The weights fingerprint (<see cref="IFaceEncoder.Fingerprint"/>).</param>
    /// <param name="embeddingSize">The embedding length.</param>
    /// <param name="options">Layout and search options; null for <see cref="PostgreSqlFaceGalleryOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="GalleryWeightsMismatchException">The schema holds a gallery of other weights or another embedding size.</exception>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached, pgvector is missing, or the schema is of a newer version.</exception>
    /// <exception cref="ArgumentException">The connection string or an option is invalid.</exception>
    public static Task<PostgreSqlFaceGallery> OpenAsync(string connectionString, string fingerprint, int embeddingSize,
        PostgreSqlFaceGalleryOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenOwnedAsync(connectionString, options, (source, schema, o) => OpenCoreAsync(source, true, schema, fingerprint, embeddingSize, o, cancellationToken));

    /// <summary>
    /// Opens (creating or migrating when needed) the gallery through <paramref name="dataSource"/>, which must map
    /// pgvector's type (<c>NpgsqlDataSourceBuilder.UseVector()</c>). The data source stays the caller's.
    /// </summary>
    /// <exception cref="GalleryWeightsMismatchException">The schema holds a gallery of other weights or another embedding size.</exception>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached, pgvector is missing, or the schema is of a newer version.</exception>
    public static Task<PostgreSqlFaceGallery> OpenAsync(NpgsqlDataSource dataSource, string fingerprint, int embeddingSize,
        PostgreSqlFaceGalleryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= PostgreSqlFaceGalleryOptions.Default;
        options.Validate();
        return OpenCoreAsync(dataSource, false, new GallerySchema(options.Schema), fingerprint, embeddingSize, options, cancellationToken);
    }

    /// <summary>
    /// Opens an existing gallery whatever weights it was built with (to list, edit or export it); its
    /// <see cref="Fingerprint"/> and <see cref="EmbeddingSize"/> are the stored ones.
    /// </summary>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached, or the schema holds no gallery.</exception>
    public static Task<PostgreSqlFaceGallery> OpenExistingAsync(string connectionString, PostgreSqlFaceGalleryOptions? options = null,
        CancellationToken cancellationToken = default) =>
        OpenOwnedAsync(connectionString, options, async (source, schema, o) =>
        {
            var server = Server(source);
            var description = await Guard(server, async () =>
            {
                await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await schema.ReadAsync(connection, null, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false) ?? throw new PostgreSqlGalleryException(
                $"There is no gallery in schema '{schema.Name}' on {server}: enrol someone first ('facenet enroll --gallery ...'), or give the schema (?schema=name).");
            return new PostgreSqlFaceGallery(source, true, schema, description, o);
        });

    private static async Task<PostgreSqlFaceGallery> OpenOwnedAsync(string connectionString, PostgreSqlFaceGalleryOptions? options,
        Func<NpgsqlDataSource, GallerySchema, PostgreSqlFaceGalleryOptions, Task<PostgreSqlFaceGallery>> open)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        options ??= PostgreSqlFaceGalleryOptions.Default;
        var (keywords, schemaFromUri) = PostgreSqlLocation.Parse(connectionString);
        if (schemaFromUri is not null) options = options with { Schema = schemaFromUri };
        options.Validate();
        var builder = new NpgsqlDataSourceBuilder(keywords);
        builder.UseVector();
        var source = builder.Build();
        try
        {
            return await open(source, new GallerySchema(options.Schema), options).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<PostgreSqlFaceGallery> OpenCoreAsync(NpgsqlDataSource source, bool owns, GallerySchema schema, string fingerprint, int embeddingSize,
        PostgreSqlFaceGalleryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        // pgvector's limit for an HNSW-indexed vector.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(embeddingSize, 2000);
        var description = await Guard(Server(source), async () =>
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var (found, createdExtension) = await schema.EnsureAsync(connection, fingerprint, embeddingSize, options, cancellationToken).ConfigureAwait(false);
            if (createdExtension) await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            return found;
        }).ConfigureAwait(false);
        return new PostgreSqlFaceGallery(source, owns, schema, description, options);
    }

    /// <inheritdoc />
    public Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        Run(cancellationToken, async connection => (int)(long)(await Scalar(connection, $"SELECT count(*) FROM {_schema.Identities}", cancellationToken).ConfigureAwait(false))!);

    /// <inheritdoc />
    public Task<long> EmbeddingCountAsync(CancellationToken cancellationToken = default) =>
        Run(cancellationToken, async connection => (long)(await Scalar(connection, $"SELECT count(*) FROM {_schema.Embeddings}", cancellationToken).ConfigureAwait(false))!);

    /// <inheritdoc />
    public Task<bool> ContainsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Run(cancellationToken, async connection =>
            await Scalar(connection, $"SELECT 1 FROM {_schema.Identities} WHERE name = $1", cancellationToken, name).ConfigureAwait(false) is not null);
    }

    /// <inheritdoc />
    /// <remarks>Streams from one query (one snapshot); enrolment order is the order identities were first enrolled.</remarks>
    public async IAsyncEnumerable<GalleryIdentity> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        NpgsqlConnection connection = await Guard(_server, () => _dataSource.OpenConnectionAsync(cancellationToken).AsTask()).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(
                $"SELECT i.name, (SELECT count(*) FROM {_schema.Embeddings} e WHERE e.identity_id = i.id) FROM {_schema.Identities} i ORDER BY i.id", connection);
            var reader = await Guard(_server, () => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await Guard(_server, () => reader.ReadAsync(cancellationToken)).ConfigureAwait(false))
                    yield return new GalleryIdentity(reader.GetString(0), checked((int)reader.GetInt64(1)));
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the identity row and its embeddings (binary COPY) commit together or not at all.</remarks>
    public Task EnrollAsync(string name, IEnumerable<FaceEmbedding> embeddings, CancellationToken cancellationToken = default)
    {
        InMemoryFaceGallery.ValidateName(name);
        ArgumentNullException.ThrowIfNull(embeddings);
        var list = embeddings.ToList();
        if (list.Count == 0) throw new ArgumentException($"No embeddings given to enrol for '{name}'.", nameof(embeddings));
        return EnrollManyAsync([new KeyValuePair<string, IReadOnlyList<FaceEmbedding>>(name, list)], cancellationToken);
    }

    /// <summary>
    /// Enrols many identities in one transaction (all or nothing): the names in batches of one statement each, the
    /// embeddings through one binary COPY. An identity given twice, or already enrolled, gets the embeddings added.
    /// For a large first load, <see cref="DropIndexAsync"/> first and <see cref="BuildIndexAsync"/> after is faster
    /// than keeping the index up to date row by row.
    /// </summary>
    /// <exception cref="ArgumentException">A name is invalid, an identity has no embeddings, or an embedding has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">An embedding was made with other weights.</exception>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached or the connection was lost (nothing was enrolled).</exception>
    public Task EnrollManyAsync(IEnumerable<KeyValuePair<string, IReadOnlyList<FaceEmbedding>>> identities, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identities);
        // Checked and grouped before any I/O: a refused embedding writes nothing.
        var byName = new Dictionary<string, List<FaceEmbedding>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (name, embeddings) in identities)
        {
            InMemoryFaceGallery.ValidateName(name);
            ArgumentNullException.ThrowIfNull(embeddings);
            if (embeddings.Count == 0) throw new ArgumentException($"No embeddings given to enrol for '{name}'.", nameof(identities));
            foreach (var e in embeddings) InMemoryFaceGallery.CheckEmbedding(e, Fingerprint, EmbeddingSize, nameof(identities));
            if (!byName.TryGetValue(name, out var list))
            {
                byName[name] = list = [];
                order.Add(name);
            }
            list.AddRange(embeddings);
        }
        if (order.Count == 0) return Task.CompletedTask;
        return Run(cancellationToken, async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            const int namesPerStatement = 10_000;
            for (int start = 0; start < order.Count; start += namesPerStatement)
            {
                var names = order.Skip(start).Take(namesPerStatement).ToArray();
                // DO UPDATE (a no-op) so RETURNING gives the id of names already enrolled too, and locks their rows.
                await using var upsert = new NpgsqlCommand(
                    $"INSERT INTO {_schema.Identities} (name) SELECT n FROM unnest($1::text[]) WITH ORDINALITY AS t(n, o) ORDER BY o " +
                    "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, name", connection, transaction);
                upsert.Parameters.AddWithValue(names);
                await using var reader = await upsert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) ids[reader.GetString(1)] = reader.GetInt64(0);
            }
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"COPY {_schema.Embeddings} (identity_id, embedding) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
            {
                foreach (var name in order)
                {
                    long id = ids[name];
                    foreach (var e in byName[name])
                    {
                        await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        await copy.WriteAsync(new Vector(e.Vector), cancellationToken).ConfigureAwait(false);
                    }
                }
                await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            if (BeforeCommit is { } hook) await hook(connection).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Run(cancellationToken, async connection =>
        {
            await using var command = new NpgsqlCommand($"DELETE FROM {_schema.Identities} WHERE name = $1", connection);
            command.Parameters.AddWithValue(name);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        });
    }

    /// <inheritdoc />
    public Task RenameAsync(string name, string newName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        InMemoryFaceGallery.ValidateName(newName);
        return Run(cancellationToken, async connection =>
        {
            await using var command = new NpgsqlCommand($"UPDATE {_schema.Identities} SET name = $2 WHERE name = $1", connection);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(newName);
            int changed;
            try
            {
                changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new ArgumentException($"An identity named '{newName}' is already enrolled; remove it first or choose another name.", nameof(newName), e);
            }
            if (changed == 0) throw new IdentityNotFoundException(name);
            return true;
        });
    }

    /// <inheritdoc />
    /// <remarks>
    /// The index gives the closest <c>topK × CandidateFactor</c> embeddings (more when they hold fewer than
    /// <paramref name="topK"/> identities), with the gallery's <see cref="PostgreSqlFaceGalleryOptions.EfSearch"/>.
    /// </remarks>
    public Task<IdentificationResult> IdentifyAsync(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default) =>
        IdentifyAsync(probe, topK, metric, threshold, _options.EfSearch, cancellationToken);

    /// <summary>As <see cref="IdentifyAsync(FaceEmbedding, int, DistanceMetric, float?, CancellationToken)"/>, with this call's HNSW <c>ef_search</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="efSearch"/> is outside [1, 1000], <paramref name="topK"/> is not positive, or the threshold is not a positive finite number.</exception>
    public Task<IdentificationResult> IdentifyAsync(FaceEmbedding probe, int topK, DistanceMetric metric, float? threshold, int efSearch,
        CancellationToken cancellationToken)
    {
        InMemoryFaceGallery.CheckEmbedding(probe, Fingerprint, EmbeddingSize, nameof(probe));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        PostgreSqlFaceGalleryOptions.CheckEfSearch(efSearch, nameof(efSearch));
        float t = VerificationThresholds.Resolve(threshold, metric);
        _ = Recognition.Distances.Compute(probe.Vector.Span, probe.Vector.Span, metric); // refuses an unknown metric before any I/O
        return Run(cancellationToken, async connection =>
        {
            var candidates = await SearchAsync(connection, probe, topK, metric, efSearch, cancellationToken).ConfigureAwait(false);
            return new IdentificationResult(candidates.Select(c => new IdentityCandidate(c.Name, c.Distance, c.Distance < t)).ToList(), t, metric);
        });
    }

    /// <inheritdoc />
    public Task<VerificationResult> VerifyAsync(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default)
    {
        InMemoryFaceGallery.CheckEmbedding(probe, Fingerprint, EmbeddingSize, nameof(probe));
        ArgumentNullException.ThrowIfNull(name);
        float t = VerificationThresholds.Resolve(threshold, metric);
        return Run(cancellationToken, async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT e.embedding FROM {_schema.Embeddings} e JOIN {_schema.Identities} i ON i.id = e.identity_id WHERE i.name = $1", connection);
            command.Parameters.AddWithValue(name);
            float distance = float.PositiveInfinity;
            bool any = false;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    any = true;
                    distance = Math.Min(distance, Recognition.Distances.Compute(probe.Vector.Span, reader.GetFieldValue<Vector>(0).Memory.Span, metric));
                }
            }
            if (!any) throw new IdentityNotFoundException(name);
            return new VerificationResult(distance < t, distance, t, metric);
        });
    }

    /// <summary>Every identity with its embeddings, in enrolment order (to export the gallery). Streams from one query.</summary>
    public async IAsyncEnumerable<KeyValuePair<string, IReadOnlyList<FaceEmbedding>>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        NpgsqlConnection connection = await Guard(_server, () => _dataSource.OpenConnectionAsync(cancellationToken).AsTask()).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand(
                $"SELECT i.name, e.embedding FROM {_schema.Identities} i JOIN {_schema.Embeddings} e ON e.identity_id = i.id ORDER BY i.id, e.id", connection);
            var reader = await Guard(_server, () => command.ExecuteReaderAsync(cancellationToken)).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                string? current = null;
                var embeddings = new List<FaceEmbedding>();
                while (await Guard(_server, () => reader.ReadAsync(cancellationToken)).ConfigureAwait(false))
                {
                    var name = reader.GetString(0);
                    if (current is not null && name != current)
                    {
                        yield return new(current, embeddings);
                        embeddings = [];
                    }
                    current = name;
                    embeddings.Add(FaceEmbedding.FromValues(reader.GetFieldValue<Vector>(1).Memory.Span, Fingerprint));
                }
                if (current is not null) yield return new(current, embeddings);
            }
        }
    }

    /// <summary>
    /// Builds the HNSW index when it is missing (after <see cref="DropIndexAsync"/> and a bulk load), in memory
    /// (<see cref="PostgreSqlFaceGalleryOptions.IndexBuildMemory"/>) with <see cref="PostgreSqlFaceGalleryOptions.IndexBuildWorkers"/> parallel workers.
    /// </summary>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached or the connection was lost.</exception>
    public Task BuildIndexAsync(CancellationToken cancellationToken = default) =>
        Run(cancellationToken, async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var settings = new NpgsqlCommand(
                "SELECT set_config('maintenance_work_mem', $1, true), set_config('max_parallel_maintenance_workers', $2, true)", connection, transaction))
            {
                settings.Parameters.AddWithValue(_options.IndexBuildMemory);
                settings.Parameters.AddWithValue(_options.IndexBuildWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            var indexOptions = _options with { IndexMetric = _indexMetric };
            await using (var build = new NpgsqlCommand(_schema.CreateIndexSql(indexOptions), connection, transaction) { CommandTimeout = 0 })
                await build.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Drops the HNSW index (searches then scan every row, exactly) until <see cref="BuildIndexAsync"/>.</summary>
    /// <exception cref="PostgreSqlGalleryException">The server cannot be reached or the connection was lost.</exception>
    public Task DropIndexAsync(CancellationToken cancellationToken = default) =>
        Run(cancellationToken, async connection =>
        {
            await using var command = new NpgsqlCommand($"DROP INDEX IF EXISTS \"{_schema.Name}\".{_schema.IndexName}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });

    /// <summary>Releases the connection pool when the gallery created it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_ownsDataSource) await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The closest identities: embedding-level candidates from the index (one statement with this transaction's
    /// ef_search), grouped by identity; with exact re-ranking, each chosen identity's distance is the minimum over all its
    /// embeddings computed as <see cref="InMemoryFaceGallery"/> does. Ties: enrolment order.
    /// </summary>
    private async Task<List<(string Name, float Distance)>> SearchAsync(NpgsqlConnection connection, FaceEmbedding probe, int topK, DistanceMetric metric, int efSearch,
        CancellationToken cancellationToken)
    {
        var op = GallerySchema.Operators(_indexMetric).Operator;
        int limit = (int)Math.Min(1000L, (long)topK * _options.CandidateFactor);
        var vector = new Vector(probe.Vector);
        while (true)
        {
            await using var batch = new NpgsqlBatch(connection);
            var settings = new NpgsqlBatchCommand("SELECT set_config('hnsw.ef_search', $1, true)");
            settings.Parameters.AddWithValue(Math.Max(efSearch, limit).ToString(System.Globalization.CultureInfo.InvariantCulture));
            batch.BatchCommands.Add(settings);
            var search = new NpgsqlBatchCommand($"""
                WITH candidates AS MATERIALIZED (
                    SELECT identity_id, embedding {op} $1 AS d FROM {_schema.Embeddings} ORDER BY embedding {op} $1 LIMIT $2),
                best AS (
                    SELECT identity_id, min(d) AS d FROM candidates GROUP BY identity_id ORDER BY min(d), identity_id LIMIT $3)
                SELECT b.identity_id, i.name, b.d, {(_options.ExactReRank ? "e.embedding" : "NULL::vector")}, (SELECT count(*) FROM candidates)
                FROM best b JOIN {_schema.Identities} i ON i.id = b.identity_id
                {(_options.ExactReRank ? $"JOIN {_schema.Embeddings} e ON e.identity_id = b.identity_id" : "")}
                """);
            search.Parameters.AddWithValue(vector);
            search.Parameters.AddWithValue(limit);
            search.Parameters.AddWithValue(topK);
            batch.BatchCommands.Add(search);

            var found = new Dictionary<long, (string Name, float Distance)>();
            long candidateRows = 0;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    long id = reader.GetInt64(0);
                    candidateRows = reader.GetInt64(4);
                    float distance = _options.ExactReRank
                        ? Recognition.Distances.Compute(probe.Vector.Span, reader.GetFieldValue<Vector>(3).Memory.Span, metric)
                        : FromIndexDistance(reader.GetDouble(2), metric);
                    found[id] = found.TryGetValue(id, out var seen) ? (seen.Name, Math.Min(seen.Distance, distance)) : (reader.GetString(1), distance);
                }
            }
            // Too few distinct identities among a full candidate list: some identities hold many embeddings; widen.
            if (found.Count < topK && candidateRows == limit && limit < 1000)
            {
                limit = Math.Min(1000, limit * 4);
                continue;
            }
            return found.OrderBy(p => p.Value.Distance).ThenBy(p => p.Key).Select(p => p.Value).ToList();
        }
    }

    /// <summary>Converts pgvector's distance between unit vectors to <paramref name="metric"/>'s (without re-ranking).</summary>
    private float FromIndexDistance(double d, DistanceMetric metric)
    {
        // Index L2 distance d: squared = d², cosine = d²/2. Index cosine distance c: squared = 2c, euclidean = √(2c).
        double squared = _indexMetric == DistanceMetric.Cosine ? 2 * d : d * d;
        return metric switch
        {
            DistanceMetric.Euclidean => (float)Math.Sqrt(squared),
            DistanceMetric.SquaredEuclidean => (float)squared,
            _ => (float)(squared / 2),
        };
    }

    private static Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.AddWithValue(p);
        return ScalarAndDispose(command, cancellationToken);
    }

    private static async Task<object?> ScalarAndDispose(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, turning connection failures into <see cref="PostgreSqlGalleryException"/>.</summary>
    private Task<T> Run<T>(CancellationToken cancellationToken, Func<NpgsqlConnection, Task<T>> work)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        return Guard(_server, async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        });
    }

    /// <summary>Maps Npgsql's failures to reach or keep the server, and a gallery whose tables are gone, to <see cref="PostgreSqlGalleryException"/>.</summary>
    private static async Task<T> Guard<T>(string server, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            throw new PostgreSqlGalleryException($"The gallery's tables on {server} are missing ({e.MessageText}): they were dropped while the gallery was open; open it again to recreate them.", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow)
        {
            throw new PostgreSqlGalleryException($"The connection to PostgreSQL {server} was closed by the server ({e.MessageText}); the call was rolled back: retry it.", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidCatalogName)
        {
            throw new PostgreSqlGalleryException($"PostgreSQL {server} refused the connection: {e.MessageText}. Check the user, database and password (PGPASSWORD, PGPASSFILE or ~/.pgpass).", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new PostgreSqlGalleryException(
                $"PostgreSQL {server} cannot be reached or the connection was lost ({e.InnerException?.Message ?? e.Message}): any write in progress was rolled back. " +
                "Check that the server is running and the host and port; the wait is bounded by the connection string's Timeout.", e);
        }
    }

    private static string Server(NpgsqlDataSource source)
    {
        var builder = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        return $"{builder.Host ?? "localhost"}:{builder.Port} (database {builder.Database ?? builder.Username ?? "default"})";
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
