using System.Text.RegularExpressions;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.PostgreSql;

/// <summary>
/// How a <see cref="PostgreSqlFaceGallery"/> lays out and searches its tables. The defaults suit galleries of up to
/// a few million embeddings; docs/recognition.md ("Which gallery") has measured recall and latency. Immutable once
/// given to a gallery (an <c>init</c>-only record).
/// </summary>
public sealed partial record PostgreSqlFaceGalleryOptions
{
    /// <summary>The default options.</summary>
    public static PostgreSqlFaceGalleryOptions Default { get; } = new();

    /// <summary>
    /// The PostgreSQL schema holding the gallery's tables (<c>gallery</c>, <c>identities</c>, <c>embeddings</c>);
    /// one gallery per schema. A lower-case SQL identifier: letters, digits and underscores, at most 63 bytes.
    /// Default <c>facenet</c>.
    /// </summary>
    public string Schema { get; init; } = "facenet";

    /// <summary>
    /// The distance the HNSW index is built for: <see cref="DistanceMetric.Euclidean"/> (pgvector's
    /// <c>vector_l2_ops</c>, default) or <see cref="DistanceMetric.Cosine"/> (<c>vector_cosine_ops</c>). Fixed when the
    /// gallery is created. Embeddings are unit vectors, so either index ranks candidates the same for every metric a
    /// search asks for; the choice matters only without <see cref="ExactReRank"/>.
    /// </summary>
    public DistanceMetric IndexMetric { get; init; } = DistanceMetric.Euclidean;

    /// <summary>HNSW <c>m</c> (links per node) when the index is built; default 16 (pgvector's).</summary>
    public int HnswM { get; init; } = 16;

    /// <summary>HNSW <c>ef_construction</c> when the index is built; default 64 (pgvector's).</summary>
    public int HnswEfConstruction { get; init; } = 64;

    /// <summary>
    /// HNSW <c>ef_search</c> for searches that do not give their own (the size of the candidate list the index
    /// keeps); larger is slower and finds the true nearest more often. Default 100. The search raises it to the number
    /// of candidates it fetches when that is larger.
    /// </summary>
    public int EfSearch { get; init; } = 100;

    /// <summary>
    /// Embedding-level candidates fetched from the index per identity asked for (top-K × this); enough for the
    /// closest identities to be among them even when identities hold several embeddings. Default 4.
    /// </summary>
    public int CandidateFactor { get; init; } = 4;

    /// <summary>
    /// Recompute the distances of the candidate identities exactly, over all their embeddings, in float32 with the
    /// same code as <see cref="InMemoryFaceGallery"/> (so distances equal its to the last bit); default true. When
    /// false the distances are pgvector's (float precision, from the closest candidate embedding only).
    /// </summary>
    public bool ExactReRank { get; init; } = true;

    /// <summary><c>maintenance_work_mem</c> for index builds (<see cref="PostgreSqlFaceGallery.BuildIndexAsync"/>), so the graph is built in memory; default <c>1GB</c>.</summary>
    public string IndexBuildMemory { get; init; } = "1GB";

    /// <summary>Parallel workers for index builds (<c>max_parallel_maintenance_workers</c>); default 2.</summary>
    public int IndexBuildWorkers { get; init; } = 2;

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    internal void Validate()
    {
        if (!IdentifierForm().IsMatch(Schema))
            throw new ArgumentException($"Schema '{Schema}' is not a plain lower-case SQL identifier (letters a-z, digits, underscores; at most 63; not starting with a digit).", nameof(Schema));
        if (IndexMetric is not (DistanceMetric.Euclidean or DistanceMetric.Cosine))
            throw new ArgumentException($"IndexMetric must be Euclidean or Cosine (got {IndexMetric}).", nameof(IndexMetric));
        if (HnswM is < 2 or > 100) throw new ArgumentException($"HnswM must be in [2, 100] (got {HnswM}).", nameof(HnswM));
        if (HnswEfConstruction < 2 * HnswM || HnswEfConstruction > 1000)
            throw new ArgumentException($"HnswEfConstruction must be in [2 x HnswM, 1000] (got {HnswEfConstruction}).", nameof(HnswEfConstruction));
        CheckEfSearch(EfSearch, nameof(EfSearch));
        if (CandidateFactor is < 1 or > 100) throw new ArgumentException($"CandidateFactor must be in [1, 100] (got {CandidateFactor}).", nameof(CandidateFactor));
        if (!MemoryForm().IsMatch(IndexBuildMemory))
            throw new ArgumentException($"IndexBuildMemory '{IndexBuildMemory}' is not a PostgreSQL memory size such as 512MB or 2GB.", nameof(IndexBuildMemory));
        if (IndexBuildWorkers is < 0 or > 64) throw new ArgumentException($"IndexBuildWorkers must be in [0, 64] (got {IndexBuildWorkers}).", nameof(IndexBuildWorkers));
    }

    /// <summary>pgvector accepts ef_search in [1, 1000].</summary>
    internal static void CheckEfSearch(int efSearch, string parameter)
    {
        if (efSearch is < 1 or > 1000) throw new ArgumentOutOfRangeException(parameter, efSearch, "ef_search must be in [1, 1000] (pgvector's range).");
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierForm();

    [GeneratedRegex("^[0-9]{1,7}(kB|MB|GB)$")]
    private static partial Regex MemoryForm();
}
