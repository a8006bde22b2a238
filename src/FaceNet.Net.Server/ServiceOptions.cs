namespace FaceNet.Net.Server;

/// <summary>
/// The service's own settings, section <c>Service</c> (environment <c>Service__ApiKey=...</c>): the API key and the
/// request limits. Bound once at start-up; read-only afterwards.
/// </summary>
public sealed class ServiceOptions
{
    /// <summary>The configuration section: <c>Service</c>.</summary>
    public const string SectionName = "Service";

    /// <summary>When set, every <c>/v1</c> request must carry it in the <c>X-Api-Key</c> header (401 otherwise).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The largest request body in bytes (default 16 MiB): larger uploads get 413.</summary>
    public long MaxRequestBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>The largest image in pixels, checked from its header before decoding (default 25 MP): larger ones, and decompression bombs, get 422.</summary>
    public long MaxPixels { get; set; } = 25_000_000;
}
