using System.Net;
using System.Net.Http.Headers;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// Downloads one URL into a <c>.download</c> file, resuming with an HTTP Range request after an interruption.
/// One <see cref="HttpClient"/> for the process (redirects followed, connect timeout); per-response and per-read
/// timeouts from the options; cancellation honoured at every await. Thread-safe.
/// </summary>
internal static class Downloader
{
    private static readonly Lazy<HttpClient> Client = new(() =>
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("FaceNet.Net", FaceNetRuntime.Version.Split('+')[0]));
        return client;
    });

    /// <summary>An interruption worth resuming after (connection dropped, a read timed out, a short body).</summary>
    private sealed class InterruptedException(string message, Exception? inner = null) : IOException(message, inner);

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="partial"/>, continuing what is already there. On any failure
    /// but cancellation, <paramref name="partial"/> is deleted; on cancellation it is kept for the next call to resume.
    /// </summary>
    /// <exception cref="WeightsDownloadException">An HTTP error, a wrong size, or interruptions beyond the retries.</exception>
    public static async Task DownloadAsync(string url, string partial, long? expectedSize, string fileName, WeightsCacheOptions options,
        IProgress<WeightsDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    await DownloadOnceAsync(url, partial, expectedSize, fileName, options.Timeout, progress, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (IsInterruption(e, cancellationToken) && attempt < options.Retries)
                {
                    // Resume from what is on disk (the next request asks for the rest with Range).
                }
                catch (Exception e) when (IsInterruption(e, cancellationToken))
                {
                    throw new WeightsDownloadException(
                        $"The download of {fileName} from {url} was interrupted {attempt + 1} times ({e.Message.ReplaceLineEndings(" ")}); nothing was kept in the cache: try again.", e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;   // keep the partial file: the next call resumes it
        }
        catch
        {
            WeightsCache.DeleteQuietly(partial);
            throw;
        }
    }

    private static bool IsInterruption(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is InterruptedException or TimeoutException or OperationCanceledException
            or HttpRequestException { StatusCode: null } or IOException;

    private static async Task DownloadOnceAsync(string url, string partial, long? expectedSize, string fileName, TimeSpan timeout,
        IProgress<WeightsDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (expectedSize is long known && have > known) { File.Delete(partial); have = 0; }
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await Client.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InterruptedException($"no response within {timeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e) when (have == 0 && e.StatusCode is null && e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
        {
            throw new WeightsDownloadException($"Could not connect to fetch {fileName} from {url} ({e.Message}): check the network or proxy, or use a mirror (--mirror, FACENET_MIRROR).", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                File.Delete(partial);   // what is kept does not fit the file any more: start again
                throw new InterruptedException("the server refused to resume; starting again");
            }
            if (!response.IsSuccessStatusCode)
                throw new WeightsDownloadException(
                    $"The server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} for {fileName} at {url}; nothing was kept in the cache.");

            var range = response.Content.Headers.ContentRange;
            bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent && range is { From: long from } && from == have;
            if (!append) have = 0;
            long? total = append ? range!.Length : response.Content.Headers.ContentLength;
            if (total is long announced && expectedSize is long size && announced != size)
                throw new WeightsDownloadException(
                    $"The server sends {announced} bytes for {fileName} at {url}, not the {size} bytes of the published file: the wrong file; nothing was kept in the cache.");
            total ??= expectedSize;

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            progress?.Report(new WeightsDownloadProgress(fileName, have, total));
            while (true)
            {
                timer.CancelAfter(timeout);   // the timeout applies to each read
                int n;
                try
                {
                    n = await body.ReadAsync(buffer, timer.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new InterruptedException($"no data for {timeout.TotalSeconds:0} s", e);
                }
                if (n == 0) break;
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                have += n;
                if (expectedSize is long limit && have > limit)
                    throw new WeightsDownloadException($"The server sends more than the {limit} bytes of {fileName} at {url}: the wrong file; nothing was kept in the cache.");
                progress?.Report(new WeightsDownloadProgress(fileName, have, total));
            }
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (total is long expected && have < expected)
                throw new InterruptedException($"the connection closed after {have} of {expected} bytes");
        }
    }
}
