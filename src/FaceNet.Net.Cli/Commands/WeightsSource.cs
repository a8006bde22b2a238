using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Imaging;
using FaceNet.Net.Pretrained;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// How the commands that take weights turn <c>--weights</c> and <c>--mtcnn</c> into local paths: a path that exists
/// wins; else a catalogue name (<c>facenet weights list</c>) or an http(s) URL is fetched into the cache (or found
/// there: <c>--offline</c>), honouring <c>--cache</c>, <c>--mirror</c> and the <c>FACENET_*</c> variables. A
/// download's progress goes to stderr when it is a terminal.
/// </summary>
internal static class WeightsSource
{
    public const string OfflineName = "--offline";
    public const string CacheName = "--cache";
    public const string MirrorName = "--mirror";

    /// <summary>Weights resolved to a local file, with the catalogue's preprocessing when they came from the catalogue.</summary>
    public sealed record Resolved(string Path, PreprocessingMode? Preprocessing, PretrainedWeights? Entry);

    public static Option<bool> Offline() => new(OfflineName)
    {
        Description = "No network access: weights named from the catalogue must already be in the cache (also FACENET_OFFLINE=1)",
    };

    public static Option<string?> Cache() => new(CacheName)
    {
        Description = "Cache folder for published weights (default: FACENET_CACHE, else ~/.cache/FaceNet.Net/weights)",
    };

    public static Option<string?> Mirror() => new(MirrorName)
    {
        Description = "Base URL replacing the base of every catalogue URL, file names kept (also FACENET_MIRROR)",
    };

    /// <summary>Adds <c>--offline</c>, <c>--cache</c> and <c>--mirror</c> to <paramref name="command"/>.</summary>
    public static Command WithFetchOptions(this Command command)
    {
        command.Options.Add(Offline());
        command.Options.Add(Cache());
        command.Options.Add(Mirror());
        return command;
    }

    /// <summary>The cache that <c>--offline</c>, <c>--cache</c> and <c>--mirror</c> of <paramref name="parse"/> describe.</summary>
    public static WeightsCache CacheOf(ParseResult parse, string? expectedSha256 = null)
    {
        bool offline = parse.GetValue<bool>(OfflineName);
        return new WeightsCache(new WeightsCacheOptions
        {
            CacheFolder = parse.GetValue<string?>(CacheName),
            Offline = offline ? true : null,
            MirrorBaseUrl = parse.GetValue<string?>(MirrorName),
            ExpectedSha256 = expectedSha256,
        });
    }

    /// <summary>
    /// The FaceNet weights <paramref name="value"/> names: an existing file, else a catalogue name or URL fetched into
    /// the cache; null means <see cref="PretrainedCatalog.DefaultFaceNet"/>.
    /// </summary>
    /// <exception cref="UsageException">Neither an existing file nor a catalogue name or URL; a directory; MTCNN weights.</exception>
    /// <exception cref="WeightsDownloadException">The weights could not be fetched (offline and not cached, HTTP error, checksum).</exception>
    public static Resolved ResolveWeights(ParseResult parse, string? value)
    {
        value ??= PretrainedCatalog.DefaultFaceNet;
        if (File.Exists(value)) return new Resolved(value, null, null);
        if (Directory.Exists(value)) throw new UsageException($"--weights '{value}' is a directory: give the weights file (.h5, .pt or .safetensors) inside it");
        var cache = CacheOf(parse);
        var entry = cache.Find(value);
        if (entry is { Kind: PretrainedKind.Mtcnn })
            throw new UsageException($"'{value}' names MTCNN detector weights: pass it to --mtcnn, and FaceNet weights (for example {PretrainedCatalog.DefaultFaceNet}) to --weights");
        if (entry is null && !WeightsCache.IsHttpUrl(value))
            throw new UsageException(LooksLikePath(value)
                ? $"weights file '{value}' does not exist"
                : $"'{value}' is neither a weights file nor a catalogue name (see 'facenet weights list')");
        var fetched = Fetch(cache, value);
        return new Resolved(fetched.Path, entry?.Preprocessing, entry);
    }

    /// <summary>
    /// The MTCNN weights folder <paramref name="value"/> names: an existing folder, else a catalogue name fetched into the
    /// cache; null gives null unless <paramref name="useDefault"/>, which gives <see cref="PretrainedCatalog.DefaultMtcnn"/>.
    /// </summary>
    /// <exception cref="UsageException">Neither an existing folder nor a catalogue name of MTCNN weights.</exception>
    /// <exception cref="WeightsDownloadException">The weights could not be fetched (offline and not cached, HTTP error, checksum).</exception>
    public static string? ResolveMtcnn(ParseResult parse, string? value, bool useDefault)
    {
        if (value is null && !useDefault) return null;
        value ??= PretrainedCatalog.DefaultMtcnn;
        if (Directory.Exists(value)) return value;
        if (File.Exists(value))
            throw new UsageException($"--mtcnn '{value}' is a file: give the folder that holds the pnet, rnet and onet weights (or the catalogue name {PretrainedCatalog.DefaultMtcnn})");
        var cache = CacheOf(parse);
        var entry = cache.Find(value);
        if (entry is null)
            throw new UsageException(LooksLikePath(value)
                ? $"MTCNN weights folder '{value}' does not exist"
                : $"'{value}' is neither an MTCNN weights folder nor a catalogue name (see 'facenet weights list')");
        if (entry.Kind != PretrainedKind.Mtcnn)
            throw new UsageException($"'{value}' names FaceNet weights: pass it to --weights, and MTCNN weights ({PretrainedCatalog.DefaultMtcnn} or a folder) to --mtcnn");
        return Fetch(cache, value).Path;
    }

    /// <summary>
    /// The catalogue's MTCNN folder when it is already in the cache and passes its checks, else null; never touches the
    /// network. Photos are then detected without <c>--mtcnn</c> once <c>facenet weights get mtcnn</c> (or the main job) has run.
    /// </summary>
    public static string? CachedMtcnn(ParseResult parse)
    {
        var cache = new WeightsCache(new WeightsCacheOptions
        {
            CacheFolder = parse.GetValue<string?>(CacheName),
            Offline = true,
            MirrorBaseUrl = parse.GetValue<string?>(MirrorName),
        });
        try
        {
            return cache.FetchAsync(PretrainedCatalog.DefaultMtcnn).GetAwaiter().GetResult().Path;
        }
        catch (WeightsDownloadException)
        {
            return null;
        }
    }

    /// <summary>Fetches <paramref name="nameOrUrl"/>, with a progress bar on stderr when it is a terminal.</summary>
    public static CachedWeights Fetch(WeightsCache cache, string nameOrUrl, CancellationToken cancellationToken = default)
    {
        using var bar = new DownloadBar();
        var fetched = cache.FetchAsync(nameOrUrl, bar, cancellationToken).GetAwaiter().GetResult();
        bar.Finish();
        return fetched;
    }

    private static bool LooksLikePath(string value) =>
        value.Contains('/') || value.Contains('\\') || Path.HasExtension(value);

    /// <summary>One progress bar per downloaded file (<see cref="ProgressBar"/>: only on an interactive stderr).</summary>
    private sealed class DownloadBar : IProgress<WeightsDownloadProgress>, IDisposable
    {
        private readonly object _gate = new();
        private string? _file;
        private ProgressBar? _bar;

        public void Report(WeightsDownloadProgress value)
        {
            lock (_gate)
            {
                if (value.FileName != _file)
                {
                    _bar?.Finish();
                    _bar?.Dispose();
                    _file = value.FileName;
                    _bar = ProgressBar.ForFraction($"fetching {value.FileName}");
                }
                if (value.Fraction is double f) _bar!.Report(f);
            }
        }

        public void Finish()
        {
            lock (_gate) _bar?.Finish();
        }

        public void Dispose()
        {
            lock (_gate) _bar?.Dispose();
        }
    }
}
