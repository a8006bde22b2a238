using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>
/// The seed notebook's workflow as one call each, straight from image files: verify two photos, verify a photo
/// against an enrolled identity, who is it, and enrol. Over any <see cref="IFaceGallery"/> asynchronously; over an
/// <see cref="InMemoryFaceGallery"/> synchronously too. Thread-safe as the encoder and gallery are.
/// </summary>
public static class FaceEncoderRecognitionExtensions
{
    /// <summary>Encodes two face images and verifies them (1:1).</summary>
    /// <exception cref="Imaging.ImageLoadException">An image cannot be read.</exception>
    public static VerificationResult Verify(this IFaceEncoder encoder, string imageA, string imageB,
        DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var embeddings = encoder.EncodeBatch([imageA, imageB]);
        return FaceVerifier.Verify(embeddings[0], embeddings[1], metric, threshold);
    }

    /// <summary>The seed's <c>verify(image, identity, database)</c>: is the face in <paramref name="image"/> the enrolled <paramref name="name"/>?</summary>
    /// <exception cref="Imaging.ImageLoadException">The image cannot be read.</exception>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    public static VerificationResult Verify(this IFaceEncoder encoder, string image, InMemoryFaceGallery gallery, string name,
        DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.Verify(encoder.Encode(image), name, metric, threshold);
    }

    /// <summary>The seed's <c>verify(image, identity, database)</c> over any gallery.</summary>
    /// <exception cref="Imaging.ImageLoadException">The image cannot be read.</exception>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    public static Task<VerificationResult> VerifyAsync(this IFaceEncoder encoder, string image, IFaceGallery gallery, string name,
        DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.VerifyAsync(encoder.Encode(image), name, metric, threshold, cancellationToken);
    }

    /// <summary>The seed's <c>who_is_it(image, database)</c>: the closest enrolled identity, or unknown.</summary>
    /// <exception cref="Imaging.ImageLoadException">The image cannot be read.</exception>
    public static IdentificationResult WhoIsIt(this IFaceEncoder encoder, string image, InMemoryFaceGallery gallery,
        DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.WhoIsIt(encoder.Encode(image), metric, threshold);
    }

    /// <summary>The seed's <c>who_is_it(image, database)</c> over any gallery.</summary>
    /// <exception cref="Imaging.ImageLoadException">The image cannot be read.</exception>
    public static Task<IdentificationResult> WhoIsItAsync(this IFaceEncoder encoder, string image, IFaceGallery gallery,
        DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.WhoIsItAsync(encoder.Encode(image), metric, threshold, cancellationToken);
    }

    /// <summary>
    /// Encodes every image, then enrols them all under <paramref name="name"/>. All or nothing: when any image
    /// fails, the gallery is unchanged.
    /// </summary>
    /// <exception cref="Imaging.ImageLoadException">An image cannot be read (nothing was enrolled).</exception>
    public static void Enroll(this IFaceEncoder encoder, InMemoryFaceGallery gallery, string name, IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        gallery.Enroll(name, EncodeToEnroll(encoder, name, images));
    }

    /// <summary>
    /// Encodes every image, then enrols them all under <paramref name="name"/> in any gallery. All or nothing: when
    /// any image fails, the gallery is unchanged.
    /// </summary>
    /// <exception cref="Imaging.ImageLoadException">An image cannot be read (nothing was enrolled).</exception>
    public static Task EnrollAsync(this IFaceEncoder encoder, IFaceGallery gallery, string name, IReadOnlyList<string> images,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        return gallery.EnrollAsync(name, EncodeToEnroll(encoder, name, images), cancellationToken);
    }

    private static IReadOnlyList<FaceEmbedding> EncodeToEnroll(IFaceEncoder encoder, string name, IReadOnlyList<string> images)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(images);
        InMemoryFaceGallery.ValidateName(name, nameof(name));
        if (images.Count == 0) throw new ArgumentException($"No images given to enrol for '{name}'.", nameof(images));
        return encoder.EncodeBatch(images);
    }
}
