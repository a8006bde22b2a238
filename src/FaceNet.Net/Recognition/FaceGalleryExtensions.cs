using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>Conveniences over any <see cref="IFaceGallery"/>; thread-safe as the gallery is.</summary>
public static class FaceGalleryExtensions
{
    /// <summary>Adds one embedding to identity <paramref name="name"/>, creating it when new.</summary>
    public static void Enroll(this IFaceGallery gallery, string name, FaceEmbedding embedding)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        ArgumentNullException.ThrowIfNull(embedding);
        gallery.Enroll(name, [embedding]);
    }

    /// <summary>
    /// The seed notebook's <c>who_is_it(image, database)</c>: the closest identity and its distance, or unknown
    /// when nobody is within the threshold (<see cref="IdentificationResult.Identity"/> is then null).
    /// </summary>
    public static IdentificationResult WhoIsIt(this IFaceGallery gallery, FaceEmbedding probe, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.Identify(probe, 1, metric, threshold);
    }
}
