using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FaceNet.Net.Tests.Pretrained;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener, a free port) that serves byte arrays, with the misbehaviours the
/// download tests need: drop the connection half-way, answer an error status, send slowly. It honours
/// <c>Range: bytes=N-</c> with 206. Every request is recorded. Dispose stops it.
/// </summary>
internal sealed class FixtureServer : IDisposable
{
    /// <summary>How a path is served.</summary>
    public enum Behaviour
    {
        /// <summary>The whole file (or the requested range).</summary>
        Normal,

        /// <summary>The first request announces the full length, sends half and drops the connection; later ones are normal.</summary>
        DropHalfwayOnce,

        /// <summary>Announces the full length, sends half and drops the connection, every time.</summary>
        DropHalfwayAlways,

        /// <summary>About 4 KiB every 100 ms.</summary>
        Slow,

        /// <summary>The whole file, in 1 MiB pieces 20 ms apart (a large file takes a couple of seconds).</summary>
        Throttled,
    }

    private sealed record Route(byte[] Content, Behaviour Behaviour, int Status, string? Location = null);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _dropped = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Every request: the path and its Range header (or null).</summary>
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    public FixtureServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = $"http://127.0.0.1:{Port}/";
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Serves <paramref name="content"/> at <c>/<paramref name="name"/></c>.</summary>
    public string Serve(string name, byte[] content, Behaviour behaviour = Behaviour.Normal)
    {
        _routes[name] = new Route(content, behaviour, 200);
        return BaseUrl + name;
    }

    /// <summary>Answers <paramref name="status"/> at <c>/<paramref name="name"/></c>.</summary>
    public string Fail(string name, int status)
    {
        _routes[name] = new Route([], Behaviour.Normal, status);
        return BaseUrl + name;
    }

    /// <summary>Answers 302 at <c>/<paramref name="name"/></c>, pointing at <c>/<paramref name="target"/></c>.</summary>
    public string Redirect(string name, string target)
    {
        _routes[name] = new Route([], Behaviour.Normal, 302, BaseUrl + target);
        return BaseUrl + name;
    }

    /// <summary>How many requests asked for <paramref name="name"/>.</summary>
    public int CountOf(string name) => Requests.Count(r => r.Path == "/" + name);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        var rangeHeader = context.Request.Headers["Range"];
        Requests.Enqueue((path, rangeHeader));
        var response = context.Response;
        try
        {
            if (!_routes.TryGetValue(path.TrimStart('/'), out var route))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            if (route.Status != 200)
            {
                response.StatusCode = route.Status;
                if (route.Location is not null) response.RedirectLocation = route.Location;
                response.Close();
                return;
            }
            long from = 0;
            if (rangeHeader is not null && rangeHeader.StartsWith("bytes=", StringComparison.Ordinal) && rangeHeader.EndsWith('-')
                && long.TryParse(rangeHeader["bytes=".Length..^1], out var start) && start < route.Content.Length)
            {
                from = start;
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {from}-{route.Content.Length - 1}/{route.Content.Length}";
            }
            var body = route.Content.AsMemory((int)from);
            response.ContentLength64 = body.Length;
            var output = response.OutputStream;
            bool drop = route.Behaviour == Behaviour.DropHalfwayAlways
                || (route.Behaviour == Behaviour.DropHalfwayOnce && _dropped.TryAdd(path, 1));
            if (drop)
            {
                await output.WriteAsync(body[..(body.Length / 2)], _stop.Token);
                await output.FlushAsync(_stop.Token);
                response.Abort();
                return;
            }
            int piece = route.Behaviour switch { Behaviour.Slow => 4096, Behaviour.Throttled => 1 << 20, _ => body.Length };
            int delay = route.Behaviour switch { Behaviour.Slow => 100, Behaviour.Throttled => 20, _ => 0 };
            for (int offset = 0; offset < body.Length; offset += piece)
            {
                await output.WriteAsync(body.Slice(offset, Math.Min(piece, body.Length - offset)), _stop.Token);
                if (delay > 0)
                {
                    await output.FlushAsync(_stop.Token);
                    await Task.Delay(delay, _stop.Token);
                }
            }
            response.Close();
        }
        catch (Exception)
        {
            // The client went away (a cancelled download) or the server is stopping.
            try { response.Abort(); } catch (Exception) { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
