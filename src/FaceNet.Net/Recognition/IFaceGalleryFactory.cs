namespace FaceNet.Net.Recognition;

/// <summary>
/// Opens a gallery by its location: a file path (<see cref="FileFaceGalleryFactory"/>), a PostgreSQL connection
/// string (<c>PostgreSqlFaceGalleryFactory</c> in the <c>FaceNet.Net.PostgreSql</c> package), and so on. A host
/// registers several and uses the first whose <see cref="CanOpen"/> is true. Implementations are thread-safe.
/// </summary>
public interface IFaceGalleryFactory
{
    /// <summary>True when <paramref name="location"/> has this factory's form (it does not check that the gallery exists or can be reached).</summary>
    bool CanOpen(string location);

    /// <summary>
    /// Opens the gallery at <paramref name="location"/> for embeddings of <paramref name="embeddingSize"/> values made
    /// with the weights <paramref name="fingerprint"/>, creating it when it does not exist. The caller disposes it.
    /// </summary>
    /// <exception cref="GalleryWeightsMismatchException">The gallery there was built with other weights or another embedding size.</exception>
    /// <exception cref="ArgumentException"><paramref name="location"/> is not of this factory's form.</exception>
    Task<IFaceGallery> OpenAsync(string location, string fingerprint, int embeddingSize, CancellationToken cancellationToken = default);
}
