using FaceNet.Net.Pretrained;

namespace FaceNet.Net.Embeddings;

/// <summary>Encoders from published weights by name (the catalogue, fetched into the cache on first use).</summary>
public sealed partial class FaceEncoder
{
    /// <summary>
    /// Fetches the published weights <paramref name="nameOrUrl"/> (a <see cref="PretrainedCatalog"/> name such as
    /// <c>vggface2</c>, or an http(s) URL) into the cache when they are not there yet, checks them, and loads them. The
    /// preprocessing is <see cref="FaceEncoderOptions.Preprocessing"/> when set, else the catalogue entry's (fixed for
    /// facenet-pytorch's files, prewhiten for the Keras ones), else what the file declares.
    /// </summary>
    /// <param name="nameOrUrl">A catalogue name or an http(s) URL.</param>
    /// <param name="options">How the encoder runs (null: the defaults).</param>
    /// <param name="cache">Where the weights are cached and how they are fetched (null: the defaults and <c>FACENET_*</c> variables).</param>
    /// <param name="progress">Receives the download's progress.</param>
    /// <param name="cancellationToken">Stops the download (a part already fetched is kept and resumed next time).</param>
    /// <exception cref="WeightsDownloadException">The weights could not be fetched or failed their checks (offline and not cached, HTTP error, checksum).</exception>
    /// <exception cref="FaceNet.Net.Weights.WeightLoadException">The cached file is not loadable FaceNet weights.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<FaceEncoder> FromPretrainedAsync(string nameOrUrl, FaceEncoderOptions? options = null, WeightsCacheOptions? cache = null,
        IProgress<WeightsDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrUrl);
        var fetched = await new WeightsCache(cache).FetchAsync(nameOrUrl, progress, cancellationToken).ConfigureAwait(false);
        if (fetched.Entry is { Kind: PretrainedKind.Mtcnn })
            throw new ArgumentException($"'{nameOrUrl}' names MTCNN detector weights, not FaceNet weights", nameof(nameOrUrl));
        options ??= new FaceEncoderOptions();
        if (options.Preprocessing is null && fetched.Entry?.Preprocessing is { } preprocessing) options = options.WithPreprocessing(preprocessing);
        return FromWeights(fetched.Path, options);
    }
}
