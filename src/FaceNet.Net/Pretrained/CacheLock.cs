using System.Collections.Concurrent;
using System.Diagnostics;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// The lock that makes threads and processes fetching the same file download it once: a semaphore per file within
/// the process, and an exclusive lock file (<c>&lt;file&gt;.lock</c>, <see cref="FileShare.None"/>, an advisory
/// <c>flock</c> on Unix) across processes, removed on release. Thread-safe.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcess = new(StringComparer.Ordinal);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _semaphore;
    private readonly FileStream _file;
    private readonly string _path;
    private int _released;

    private CacheLock(SemaphoreSlim semaphore, FileStream file, string path)
    {
        _semaphore = semaphore;
        _file = file;
        _path = path;
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the lock on <paramref name="destination"/>.</summary>
    /// <exception cref="WeightsDownloadException">Another thread or process held it longer than the timeout.</exception>
    public static async Task<CacheLock> AcquireAsync(string destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = destination + ".lock";
        var semaphore = InProcess.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        var clock = Stopwatch.StartNew();
        if (!await semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false)) throw Timeout(path, timeout);
        try
        {
            while (true)
            {
                var file = TryLock(path);
                if (file is not null) return new CacheLock(semaphore, file, path);
                if (clock.Elapsed >= timeout) throw Timeout(path, timeout);
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            semaphore.Release();
            throw;
        }
    }

    /// <summary>
    /// Opens and locks the lock file, or returns null when another process holds it. A holder removes the file on
    /// release, so a handle locked here may belong to a file already unlinked while the path now names a newer one.
    /// The lock is taken only when the path still names this handle's file: a random number of bytes written through
    /// the handle must be the size the path shows (a flock'd file cannot be read back through a second handle).
    /// </summary>
    private static FileStream? TryLock(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException)
        {
            return null;   // held by another process
        }
        try
        {
            var marker = new byte[Random.Shared.Next(1, 1 << 16)];
            System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .AsSpan().TryCopyTo(marker);
            file.SetLength(0);
            file.Write(marker);
            file.Flush(flushToDisk: false);
            var onDisk = new FileInfo(path);
            if (onDisk.Exists && onDisk.Length == marker.Length) return file;
        }
        catch (IOException) { }
        file.Dispose();
        return null;
    }

    private static WeightsDownloadException Timeout(string path, TimeSpan timeout) => new(
        $"Another thread or process has been fetching the same weights for longer than {timeout.TotalSeconds:0} s (lock file '{path}'): " +
        "wait for it, or, if no other facenet process is running, delete the lock file and try again.");

    /// <summary>Removes the lock file and releases the lock.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        try { File.Delete(_path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _file.Dispose();
        _semaphore.Release();
    }
}
