using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>Conveniences over any <see cref="IFaceGallery"/>; thread-safe as the gallery is.</summary>
public static class FaceGalleryExtensions
{
    /// <summary>Adds one embedding to identity <paramref name="name"/>, creating it when new.</summary>
    public static Task EnrollAsync(this IFaceGallery gallery, string name, FaceEmbedding embedding, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(embedding);
        return gallery.EnrollAsync(name, [embedding], cancellationToken);
    }

    /// <summary>
    /// The seed notebook's <c>who_is_it(image, database)</c>: the closest identity and its distance, or unknown
    /// when nobody is within the threshold (<see cref="IdentificationResult.Identity"/> is then null).
    /// </summary>
    public static Task<IdentificationResult> WhoIsItAsync(this IFaceGallery gallery, FaceEmbedding probe, DistanceMetric metric = DistanceMetric.Euclidean,
        float? threshold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.IdentifyAsync(probe, 1, metric, threshold, cancellationToken);
    }

    /// <summary>Every enrolled identity, in enrolment order, as a list.</summary>
    public static async Task<IReadOnlyList<GalleryIdentity>> ListAllAsync(this IFaceGallery gallery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        var list = new List<GalleryIdentity>();
        await foreach (var identity in gallery.ListAsync(cancellationToken).ConfigureAwait(false)) list.Add(identity);
        return list;
    }
}
