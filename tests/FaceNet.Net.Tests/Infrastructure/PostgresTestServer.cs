using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FaceNet.Net.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL + pgvector server the <see cref="TestCategories.Database"/> tests use: a throw-away cluster started
/// once (initdb into a temporary folder, as the <c>postgres</c> user when the tests run as root, listening on
/// 127.0.0.1 on a free port) and stopped and deleted after the last test, or the server named by
/// <c>FACENET_TEST_POSTGRES</c> (an Npgsql connection string; its database needs pgvector or the right to create
/// it). Where neither is possible the tests are ignored with the reason (CI installs both: <c>.ci/run</c>).
/// </summary>
public static class PostgresTestServer
{
    /// <summary>The environment variable naming an existing server to use instead of a throw-away cluster.</summary>
    public const string EnvironmentVariable = "FACENET_TEST_POSTGRES";

    private static readonly object Gate = new();
    private static string? _connectionString;
    private static string? _unavailable;
    private static string? _folder;
    private static string? _pgCtl;
    private static bool _asPostgresUser;

    /// <summary>The connection string of the running server; ignores the calling test when there is none.</summary>
    public static string ConnectionString
    {
        get
        {
            lock (Gate)
            {
                if (_connectionString is null && _unavailable is null) Start();
                if (_connectionString is null) Assert.Ignore(_unavailable!);
                return _connectionString!;
            }
        }
    }

    /// <summary>A fresh schema name, so each test has its own gallery on the shared server.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Stops and deletes the throw-away cluster (nothing for a server given by the environment).</summary>
    public static void Stop()
    {
        lock (Gate)
        {
            if (_folder is null) return;
            try
            {
                if (_pgCtlData is not null) Run(_pgCtl!, ["-D", _pgCtlData, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(30));
            }
            finally
            {
                try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                _folder = null;
                _connectionString = null;
                _unavailable = "the test PostgreSQL cluster was stopped";
            }
        }
    }

    private static void Start()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            _connectionString = given;
            return;
        }
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (bin is null)
        {
            _unavailable = $"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql-15, or set {EnvironmentVariable} to a server's connection string";
            return;
        }
        var version = Path.GetFileName(Path.GetDirectoryName(bin))!;
        if (!File.Exists($"/usr/share/postgresql/{version}/extension/vector.control"))
        {
            _unavailable = $"pgvector is not installed for PostgreSQL {version} (no vector.control): build it from ../shared/vendor/pgvector-0.8.6.tar.gz as .ci/run does, or set {EnvironmentVariable}";
            return;
        }
        _asPostgresUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "facenet-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        _folder = folder;
        _pgCtl = Path.Combine(bin, "pg_ctl");
        try
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user then.
            if (_asPostgresUser) Run("chown", ["postgres:postgres", folder], TimeSpan.FromSeconds(10), direct: true);
            var data = Path.Combine(folder, "data");
            Run(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"], TimeSpan.FromSeconds(120));
            int port = FreePort();
            Run(_pgCtl, ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "start"], TimeSpan.FromSeconds(90));
            _pgCtlData = data;
            _connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=15;Maximum Pool Size=50";
        }
        catch (Exception e) when (e is not AssertionException)
        {
            _unavailable = $"the test PostgreSQL cluster could not be started: {e.Message}";
        }
    }

    private static string? _pgCtlData;

    /// <summary>The cluster's data folder (to stop it); null for a server from the environment.</summary>
    public static string? DataFolder => _pgCtlData;

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Runs a PostgreSQL tool (as postgres when the tests run as root); throws with its output when it fails.</summary>
    private static void Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout, bool direct = false)
    {
        var info = _asPostgresUser && !direct ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (_asPostgresUser && !direct)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postgres");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}): {error.Result.Trim()} {output.Result.Trim()}");
    }
}
