namespace FaceNet.Net.Pretrained;

/// <summary>
/// Where the published weights are cached and how they are fetched. Immutable (init-only), so one instance may be
/// shared by any number of threads. Unset values fall back to the environment (<c>FACENET_CACHE</c>,
/// <c>FACENET_OFFLINE</c>, <c>FACENET_MIRROR</c>; docs/configuration.md), then to the defaults below.
/// </summary>
public sealed class WeightsCacheOptions
{
    /// <summary>The cache folder. Default: <c>FACENET_CACHE</c>, else <c>$XDG_CACHE_HOME/FaceNet.Net/weights</c>, else
    /// <c>~/.cache/FaceNet.Net/weights</c> (on Windows, <c>%LOCALAPPDATA%\FaceNet.Net\weights</c>).</summary>
    public string? CacheFolder { get; init; }

    /// <summary>No network access at all: weights must already be in the cache (or be given as a path). Null: <c>FACENET_OFFLINE</c>, else false.</summary>
    public bool? Offline { get; init; }

    /// <summary>A base URL (an artifact store) that replaces the base of every catalogue URL, keeping the file name:
    /// <c>https://mirror/ml/</c> fetches <c>https://mirror/ml/20180402-114759-vggface2.pt</c>. Null: <c>FACENET_MIRROR</c>, else none.</summary>
    public string? MirrorBaseUrl { get; init; }

    /// <summary>The SHA-256 (hex) the file must have; overrides a pinned hash. Only for a single-file entry or a URL.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>How long to wait for a response's headers, and for each read of its body, before giving up. Default 100 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How long to wait for another thread or process that is fetching the same file. Default 30 minutes.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How many times an interrupted download is resumed (HTTP Range) within one call before it fails. Default 3.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>The catalogue to look names up in. Default: <see cref="PretrainedCatalog.All"/> (tests pass their own).</summary>
    public IReadOnlyList<PretrainedWeights>? Catalog { get; init; }
}
