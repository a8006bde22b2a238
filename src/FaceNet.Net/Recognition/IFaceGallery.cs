using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>
/// A set of enrolled identities, each represented by one or more embeddings of the same weights, searched 1:K.
/// <see cref="InMemoryFaceGallery"/> (in memory, saved to a file), <see cref="FileFaceGallery"/> (a file kept up to
/// date after every change) and the PostgreSQL + pgvector gallery of the <c>FaceNet.Net.PostgreSql</c> package
/// implement it; <see cref="IFaceGalleryFactory"/> opens one by its location. Every member is asynchronous, since an
/// implementation may do I/O; every one takes a <see cref="CancellationToken"/>. Implementations are safe to use from
/// many threads at once.
/// </summary>
/// <remarks>
/// <para>Contract: an identity's distance to a probe is the smallest distance over its embeddings; a probe is
/// recognised when that distance is strictly below the threshold; searching an empty gallery returns unknown
/// with no candidates (it does not throw). An enrolment is all or nothing. Embeddings made with other weights
/// (another fingerprint) are refused with <see cref="GalleryWeightsMismatchException"/>, embeddings of another
/// length with <see cref="ArgumentException"/>; an unknown name in <see cref="VerifyAsync"/> or
/// <see cref="RenameAsync"/> is an <see cref="IdentityNotFoundException"/>.</para>
/// <para>The gallery is <see cref="IAsyncDisposable"/>: disposing it releases what it holds (native memory, a
/// connection pool it created); a connection pool the caller passed in stays the caller's.</para>
/// </remarks>
public interface IFaceGallery : IAsyncDisposable
{
    /// <summary>The fingerprint of the weights every enrolled embedding was made with.</summary>
    string Fingerprint { get; }

    /// <summary>The embedding length.</summary>
    int EmbeddingSize { get; }

    /// <summary>The number of enrolled identities.</summary>
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>The number of enrolled embeddings over all identities.</summary>
    Task<long> EmbeddingCountAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="embeddings"/> to identity <paramref name="name"/>, creating it when new. All or nothing: nothing is added when any embedding is refused or the write fails.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or holds control characters; the list is empty; an embedding has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">An embedding was made with other weights.</exception>
    Task EnrollAsync(string name, IEnumerable<FaceEmbedding> embeddings, CancellationToken cancellationToken = default);

    /// <summary>Removes identity <paramref name="name"/> and its embeddings; false when it was not enrolled.</summary>
    Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Renames an identity, keeping its embeddings and its place in the enrolment order.</summary>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    /// <exception cref="ArgumentException"><paramref name="newName"/> is invalid or already enrolled.</exception>
    Task RenameAsync(string name, string newName, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="name"/> is enrolled.</summary>
    Task<bool> ContainsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The enrolled identities in enrolment order.</summary>
    IAsyncEnumerable<GalleryIdentity> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The <paramref name="topK"/> closest identities to <paramref name="probe"/>, and the verdict.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is not positive, or the threshold is not a positive finite number.</exception>
    /// <exception cref="ArgumentException">The probe has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">The probe was made with other weights.</exception>
    Task<IdentificationResult> IdentifyAsync(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default);

    /// <summary>Is <paramref name="probe"/> the enrolled identity <paramref name="name"/>? (The seed notebook's <c>verify(image, identity, database)</c>.)</summary>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    /// <exception cref="ArgumentException">The probe has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">The probe was made with other weights.</exception>
    Task<VerificationResult> VerifyAsync(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default);
}
