using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>
/// A set of enrolled identities, each represented by one or more embeddings of the same weights, searched 1:K.
/// <see cref="InMemoryFaceGallery"/> is the built-in implementation; a database-backed one (pgvector, say) can
/// implement the same contract. Implementations are safe to use from many threads at once.
/// </summary>
/// <remarks>
/// Contract: an identity's distance to a probe is the smallest distance over its embeddings; a probe is
/// recognised when that distance is strictly below the threshold; searching an empty gallery returns unknown
/// with no candidates (it does not throw).
/// </remarks>
public interface IFaceGallery
{
    /// <summary>The fingerprint of the weights every enrolled embedding was made with.</summary>
    string Fingerprint { get; }

    /// <summary>The embedding length.</summary>
    int EmbeddingSize { get; }

    /// <summary>The number of enrolled identities.</summary>
    int Count { get; }

    /// <summary>The number of enrolled embeddings over all identities.</summary>
    int EmbeddingCount { get; }

    /// <summary>Adds <paramref name="embeddings"/> to identity <paramref name="name"/>, creating it when new. All or nothing: nothing is added when any embedding is refused.</summary>
    void Enroll(string name, IEnumerable<FaceEmbedding> embeddings);

    /// <summary>Removes identity <paramref name="name"/> and its embeddings; false when it was not enrolled.</summary>
    bool Remove(string name);

    /// <summary>Renames an identity, keeping its embeddings.</summary>
    void Rename(string name, string newName);

    /// <summary>True when <paramref name="name"/> is enrolled.</summary>
    bool Contains(string name);

    /// <summary>The enrolled identities in enrolment order.</summary>
    IReadOnlyList<GalleryIdentity> List();

    /// <summary>The <paramref name="topK"/> closest identities to <paramref name="probe"/>, and the verdict.</summary>
    IdentificationResult Identify(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null);

    /// <summary>Is <paramref name="probe"/> the enrolled identity <paramref name="name"/>? (The seed notebook's <c>verify(image, identity, database)</c>.)</summary>
    VerificationResult Verify(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null);
}
