using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// Turns aligned face images into <see cref="FaceEmbedding"/>s. Implementations are safe to call from many
/// threads at once and must be disposed.
/// </summary>
public interface IFaceEncoder : IDisposable
{
    /// <summary>The length of the embeddings this encoder produces.</summary>
    int EmbeddingSize { get; }

    /// <summary>The fingerprint of the weights; every embedding's <see cref="FaceEmbedding.Source"/>.</summary>
    string Fingerprint { get; }

    /// <summary>The preprocessing applied to pixels before the network.</summary>
    PreprocessingMode Preprocessing { get; }

    /// <summary>Encodes one RGB face image (any size: resized to 160x160 with the bicubic resampler). The image is not modified.</summary>
    FaceEmbedding Encode(Image<Rgb24> image);

    /// <summary>Encodes the face image in the file at <paramref name="path"/> (see <see cref="ImageLoader"/> for what is accepted).</summary>
    FaceEmbedding Encode(string path);

    /// <summary>Encodes the face image read from <paramref name="stream"/>; <paramref name="sourceName"/> names it in messages.</summary>
    FaceEmbedding Encode(Stream stream, string? sourceName = null);

    /// <summary>Encodes images in batches; the result is in input order.</summary>
    IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<Image<Rgb24>> images);

    /// <summary>Encodes image files in batches; the result is in input order. The first unreadable file stops the batch with an <see cref="ImageLoadException"/>.</summary>
    IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<string> paths);

    /// <summary>
    /// Encodes image files in batches: each file is read asynchronously (the I/O), then decoded and encoded (CPU work,
    /// on the thread that continues after the read). Reports the number done after each batch and checks
    /// <paramref name="cancellationToken"/> between images. There is no asynchronous form of the in-memory overloads:
    /// encoding images already in memory is CPU-bound, so it is <see cref="EncodeBatch(IReadOnlyList{Image{Rgb24}})"/>
    /// (run it on a thread of your choosing when the caller must not block).
    /// </summary>
    Task<IReadOnlyList<FaceEmbedding>> EncodeBatchAsync(IReadOnlyList<string> paths, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}
