using System.Security.Cryptography;
using FaceNet.Net.Configuration;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// Fetches published weights by catalogue name (<see cref="PretrainedCatalog"/>) or URL into a local cache and checks
/// them: the pinned or expected SHA-256 when there is one, else the hash recorded at the first download (trust on first
/// use, kept beside the file as <c>&lt;file&gt;.sha256</c>); the size when known; and, for every download, that the file
/// is weights of the network (every tensor, with its shape; for MTCNN, each of pnet, rnet and onet).
/// </summary>
/// <remarks>
/// <para>A download goes to <c>&lt;name&gt;.download.&lt;ext&gt;</c> in the cache folder (the extension kept, for the readers), is resumed with an HTTP Range request
/// after an interruption, checked, then renamed into place (atomic on one file system). Any failure leaves no weights
/// file and no temporary file; only a download stopped by cancellation keeps its <c>.download</c> part, which the next
/// call resumes. Threads and processes fetching the same file wait on one lock (<c>&lt;file&gt;.lock</c>, removed
/// afterwards) and download it once.</para>
/// <para>Thread-safe: one instance may serve any number of concurrent calls.</para>
/// </remarks>
public sealed class WeightsCache
{
    private readonly WeightsCacheOptions _options;
    private readonly IReadOnlyList<PretrainedWeights> _catalog;

    /// <summary>Creates a cache with <paramref name="options"/> (null: the defaults and the environment).</summary>
    /// <exception cref="FaceNetConfigurationException"><c>FACENET_OFFLINE</c> is not a switch value.</exception>
    /// <exception cref="ArgumentException">The mirror is not an absolute http(s) URL, or a timeout is not positive.</exception>
    public WeightsCache(WeightsCacheOptions? options = null)
    {
        _options = options ?? new WeightsCacheOptions();
        _catalog = _options.Catalog ?? PretrainedCatalog.All;
        Folder = Path.GetFullPath(_options.CacheFolder ?? EnvironmentOverrides.Text(EnvironmentOverrides.Cache) ?? DefaultFolder());
        IsOffline = _options.Offline ?? EnvironmentOverrides.Switch(EnvironmentOverrides.Offline) ?? false;
        MirrorBaseUrl = _options.MirrorBaseUrl ?? EnvironmentOverrides.Text(EnvironmentOverrides.Mirror);
        if (MirrorBaseUrl is not null && !IsHttpUrl(MirrorBaseUrl))
            throw new ArgumentException($"mirror '{MirrorBaseUrl}' is not an absolute http or https URL (--mirror, FACENET_MIRROR)", nameof(options));
        if (_options.Timeout <= TimeSpan.Zero || _options.LockTimeout <= TimeSpan.Zero)
            throw new ArgumentException("timeouts must be positive", nameof(options));
        if (_options.ExpectedSha256 is not null) ExpectedSha256 = NormaliseSha256(_options.ExpectedSha256);
    }

    /// <summary>The cache folder (full path).</summary>
    public string Folder { get; }

    /// <summary>Whether the network is never used.</summary>
    public bool IsOffline { get; }

    /// <summary>The mirror base URL in effect, or null.</summary>
    public string? MirrorBaseUrl { get; }

    /// <summary>The user's expected SHA-256 (lowercase hex), or null.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The default cache folder: <c>$XDG_CACHE_HOME/FaceNet.Net/weights</c>, else <c>~/.cache/FaceNet.Net/weights</c>
    /// (<c>%LOCALAPPDATA%\FaceNet.Net\weights</c> on Windows).</summary>
    public static string DefaultFolder()
    {
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "FaceNet.Net", "weights");
        var xdg = EnvironmentOverrides.Text("XDG_CACHE_HOME");
        var root = xdg is not null && Path.IsPathRooted(xdg) ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "FaceNet.Net", "weights");
    }

    /// <summary>Whether <paramref name="value"/> is an absolute http or https URL.</summary>
    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The catalogue entry named <paramref name="name"/> in this cache's catalogue, or null.</summary>
    public PretrainedWeights? Find(string name) => PretrainedCatalog.Find(_catalog, name);

    /// <summary>
    /// The local path of the weights named <paramref name="nameOrUrl"/> (a catalogue name or an http(s) URL),
    /// downloading and checking them first when they are not in the cache. For MTCNN, the folder holding the three files.
    /// </summary>
    /// <exception cref="WeightsDownloadException">Unknown name; offline and not cached; an HTTP error; a download that is
    /// truncated, has the wrong checksum or is not weights of the network; a cached file whose hash changed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> GetAsync(string nameOrUrl, IProgress<WeightsDownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        (await FetchAsync(nameOrUrl, progress, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>As <see cref="GetAsync"/>, with each file's SHA-256 and size.</summary>
    /// <exception cref="WeightsDownloadException">As for <see cref="GetAsync"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<CachedWeights> FetchAsync(string nameOrUrl, IProgress<WeightsDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrUrl);
        var entry = Find(nameOrUrl);
        if (entry is null && !IsHttpUrl(nameOrUrl))
            throw new WeightsDownloadException(
                $"'{nameOrUrl}' is neither a weights catalogue name ({string.Join(", ", _catalog.Select(e => e.Name))}; see 'facenet weights list') nor an http(s) URL.");
        if (entry is not null && ExpectedSha256 is not null && entry.Files.Count != 1)
            throw new ArgumentException($"an expected SHA-256 applies to one file, and '{entry.Name}' has {entry.Files.Count}");

        if (entry is null)
        {
            var fileName = FileNameOf(nameOrUrl);
            var spec = new FileSpec(nameOrUrl, fileName, nameOrUrl, null, ExpectedSha256, Path.Combine(Folder, fileName), null);
            var file = await EnsureAsync(spec, progress, cancellationToken).ConfigureAwait(false);
            return new CachedWeights(fileName, file.Path, [file], null);
        }

        var folder = entry.Kind == PretrainedKind.Mtcnn ? Path.Combine(Folder, entry.Name) : Folder;
        var files = new List<CachedFile>();
        foreach (var f in entry.Files)
        {
            var url = f.Url is null ? null : MirrorBaseUrl is null ? f.Url : MirrorBaseUrl.TrimEnd('/') + "/" + f.FileName;
            if (url is null && MirrorBaseUrl is not null) url = MirrorBaseUrl.TrimEnd('/') + "/" + f.FileName;
            var spec = new FileSpec(entry.Name, f.FileName, url, f.Size, ExpectedSha256 ?? f.Sha256, Path.Combine(folder, f.FileName), entry);
            files.Add(await EnsureAsync(spec, progress, cancellationToken).ConfigureAwait(false));
        }
        return new CachedWeights(entry.Name, entry.Kind == PretrainedKind.Mtcnn ? folder : files[0].Path, files, entry);
    }

    /// <summary>One file to make present: which weights it belongs to, where it comes from, what it must be.</summary>
    private sealed record FileSpec(string Name, string FileName, string? Url, long? Size, string? Sha256, string Destination, PretrainedWeights? Entry)
    {
        /// <summary>How messages name the file: the weights' name and file, or the file alone for a URL.</summary>
        public string What => Entry is null ? FileName : $"'{Name}' ({FileName})";
    }

    private async Task<CachedFile> EnsureAsync(FileSpec spec, IProgress<WeightsDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (File.Exists(spec.Destination)) return CheckCached(spec);
        if (IsOffline)
            throw new WeightsDownloadException(
                $"Weights '{spec.Name}' ({spec.FileName}) are not in the cache '{Path.GetDirectoryName(spec.Destination)}' and offline mode is on " +
                $"(--offline or FACENET_OFFLINE): fetch them where the network is reachable with 'facenet weights get {spec.Name}' " +
                "and copy the cache folder here (--cache or FACENET_CACHE), or pass a weights file by path.");
        if (spec.Url is null)
            throw new WeightsDownloadException(
                $"Weights '{spec.Name}' have no download URL ({spec.Entry?.Source}): place {spec.FileName} at '{spec.Destination}', " +
                "pass its path instead, or give a mirror that holds it (--mirror or FACENET_MIRROR).");

        Directory.CreateDirectory(Path.GetDirectoryName(spec.Destination)!);
        using (await CacheLock.AcquireAsync(spec.Destination, _options.LockTimeout, cancellationToken).ConfigureAwait(false))
        {
            // Another thread or process may have fetched it while this one waited.
            if (File.Exists(spec.Destination)) return CheckCached(spec);
            var partial = PartialPath(spec.Destination);
            await Downloader.DownloadAsync(spec.Url, partial, spec.Size, spec.FileName, _options, progress, cancellationToken).ConfigureAwait(false);
            CachedFile checkedFile;
            try
            {
                checkedFile = CheckDownload(spec, partial);
                File.Move(partial, spec.Destination, overwrite: false);
            }
            catch
            {
                DeleteQuietly(partial);
                throw;
            }
            WriteSidecar(spec.Destination, checkedFile.Sha256);
            return checkedFile with { Path = spec.Destination, Downloaded = true };
        }
    }

    /// <summary>Checks a finished download: size, hash, structure.</summary>
    private static CachedFile CheckDownload(FileSpec spec, string partial)
    {
        long bytes = new FileInfo(partial).Length;
        if (spec.Size is long size && bytes != size)
            throw new WeightsDownloadException(
                $"The download of {spec.What} from {spec.Url} is {bytes} bytes, not the {size} bytes of {spec.FileName}: truncated or the wrong file; nothing was kept in the cache.");
        var sha = Sha256Of(partial);
        if (spec.Sha256 is not null && sha != spec.Sha256)
            throw new WeightsDownloadException(
                $"The download of {spec.What} from {spec.Url} has SHA-256 {sha}, expected {spec.Sha256}: truncated, corrupted or the wrong file; nothing was kept in the cache.");
        bool structureChecked;
        try
        {
            structureChecked = WeightsStructure.Check(partial, spec.FileName, spec.Entry);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new WeightsDownloadException(
                $"The download of {spec.What} from {spec.Url} is not usable weights ({e.Message.ReplaceLineEndings(" ")}); nothing was kept in the cache.", e);
        }
        return new CachedFile(partial, sha, bytes, structureChecked);
    }

    /// <summary>Checks a file already in the cache: size, then the pinned/expected hash, else the hash recorded at its first download.</summary>
    private static CachedFile CheckCached(FileSpec spec)
    {
        var path = spec.Destination;
        long bytes = new FileInfo(path).Length;
        var fix = $"delete it and fetch it again ('facenet weights get {spec.Name}'), or put the right file there";
        if (spec.Size is long size && bytes != size)
            throw new WeightsDownloadException($"The cached '{spec.Name}' file '{path}' is {bytes} bytes, not {size}: {fix}.");
        var sha = Sha256Of(path);
        if (spec.Sha256 is not null && sha != spec.Sha256)
            throw new WeightsDownloadException($"The cached '{spec.Name}' file '{path}' has SHA-256 {sha}, expected {spec.Sha256}: {fix}.");
        var sidecar = path + ".sha256";
        var recorded = File.Exists(sidecar) ? File.ReadAllText(sidecar).Trim() : null;
        if (recorded is not null && recorded != sha)
            throw new WeightsDownloadException(
                $"The cached '{spec.Name}' file '{path}' changed since it was first fetched (SHA-256 {sha}, recorded {recorded} in '{sidecar}'): {fix}, deleting the .sha256 file too.");
        if (recorded is null) WriteSidecar(path, sha);   // a file placed by hand: trusted from its first use on
        return new CachedFile(path, sha, bytes, StructureChecked: false);
    }

    private static void WriteSidecar(string path, string sha)
    {
        var sidecar = path + ".sha256";
        var temporary = sidecar + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.WriteAllText(temporary, sha + "\n");
            File.Move(temporary, sidecar, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteQuietly(temporary);   // a read-only cache still serves its files; the hash is then checked only when pinned
        }
    }

    /// <summary>The lowercase hex SHA-256 of a file.</summary>
    internal static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static string NormaliseSha256(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v.Length != 64 || !v.All(Uri.IsHexDigit))
            throw new ArgumentException($"expected SHA-256 '{value}' is not 64 hexadecimal digits");
        return v;
    }

    private static string FileNameOf(string url)
    {
        var name = Uri.UnescapeDataString(new Uri(url).Segments[^1]).Trim('/');
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('\\')
            || name.Contains(".download", StringComparison.Ordinal) || name.EndsWith(".lock", StringComparison.Ordinal) || name.EndsWith(".sha256", StringComparison.Ordinal))
            throw new WeightsDownloadException($"URL '{url}' does not end in a usable file name (like .../weights.pt): the cache keeps the file under that name.");
        return name;
    }

    /// <summary>Where <paramref name="destination"/> is downloaded to: <c>name.download.ext</c> beside it (the readers go by the extension).</summary>
    internal static string PartialPath(string destination) =>
        Path.Combine(Path.GetDirectoryName(destination)!, Path.GetFileNameWithoutExtension(destination) + ".download" + Path.GetExtension(destination));

    internal static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
