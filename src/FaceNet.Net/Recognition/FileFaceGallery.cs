using System.Runtime.CompilerServices;
using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Recognition;

/// <summary>
/// A gallery backed by one gallery file (the format of <see cref="InMemoryFaceGallery.Save(string)"/>): searched in
/// memory, and the file is rewritten atomically after every successful enrolment, removal or rename, so it always
/// holds the gallery as of the last completed change. A change whose save fails is not applied (the file and the
/// gallery both stay as they were).
/// </summary>
/// <remarks>
/// Thread-safe: searches run at once; changes queue (asynchronously) behind each other and each builds the new
/// content on a copy, saves it, then swaps it in, so searches never see a change the file does not hold. One process
/// at a time should write a file: two processes writing the same file each write whole files, and the last save wins.
/// Disposing frees the in-memory search matrix; the file stays.
/// </remarks>
public sealed class FileFaceGallery : IFaceGallery, IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ReaderWriterLockSlim _swap = new(LockRecursionPolicy.NoRecursion);
    private InMemoryFaceGallery _current;
    private bool _disposed;

    private FileFaceGallery(string path, InMemoryFaceGallery content)
    {
        Path = path;
        _current = content;
    }

    /// <summary>The gallery file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Fingerprint => _current.Fingerprint;

    /// <inheritdoc />
    public int EmbeddingSize => _current.EmbeddingSize;

    /// <summary>
    /// Opens the gallery file at <paramref name="path"/>, checking it was built with the weights
    /// <paramref name="fingerprint"/> and <paramref name="embeddingSize"/>; when the file does not exist the gallery
    /// starts empty and the file is written on the first change.
    /// </summary>
    /// <exception cref="GalleryWeightsMismatchException">The file was built with other weights or another embedding size.</exception>
    /// <exception cref="GalleryFormatException">The file is not a gallery, is truncated or corrupt.</exception>
    /// <exception cref="IOException">The path is a directory.</exception>
    /// <exception cref="DirectoryNotFoundException">The file's folder does not exist.</exception>
    public static FileFaceGallery Open(string path, string fingerprint, int embeddingSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        if (Directory.Exists(path)) throw new IOException($"Gallery '{path}' is a directory: give a gallery file name.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The folder of gallery '{path}' ('{folder}') does not exist: create it first.");
        var content = File.Exists(path) ? InMemoryFaceGallery.Load(path, fingerprint, embeddingSize) : new InMemoryFaceGallery(fingerprint, embeddingSize);
        return new FileFaceGallery(path, content);
    }

    /// <inheritdoc />
    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Read(cancellationToken, g => g.Count);

    /// <inheritdoc />
    public Task<long> EmbeddingCountAsync(CancellationToken cancellationToken = default) => Read(cancellationToken, g => (long)g.EmbeddingCount);

    /// <inheritdoc />
    public Task<bool> ContainsAsync(string name, CancellationToken cancellationToken = default) => Read(cancellationToken, g => g.Contains(name));

    /// <inheritdoc />
    public async IAsyncEnumerable<GalleryIdentity> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var identity in await Read(cancellationToken, g => g.List()).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return identity;
        }
    }

    /// <inheritdoc />
    public Task<IdentificationResult> IdentifyAsync(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default) =>
        Read(cancellationToken, g => g.Identify(probe, topK, metric, threshold));

    /// <inheritdoc />
    public Task<VerificationResult> VerifyAsync(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default) =>
        Read(cancellationToken, g => g.Verify(probe, name, metric, threshold));

    /// <inheritdoc />
    public Task EnrollAsync(string name, IEnumerable<FaceEmbedding> embeddings, CancellationToken cancellationToken = default)
    {
        // Materialised before waiting, so a lazy sequence is read once, on the caller's thread.
        var list = embeddings?.ToList() ?? throw new ArgumentNullException(nameof(embeddings));
        return Change(cancellationToken, g => { g.Enroll(name, list); return true; });
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default) =>
        Change(cancellationToken, g => g.Remove(name));

    /// <inheritdoc />
    public Task RenameAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        Change(cancellationToken, g => { g.Rename(name, newName); return name != newName; });

    /// <summary>Frees the in-memory search matrix; the file stays as last saved.</summary>
    public void Dispose()
    {
        _swap.EnterWriteLock();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _current.Dispose();
        }
        finally
        {
            _swap.ExitWriteLock();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<T> Read<T>(CancellationToken cancellationToken, Func<InMemoryFaceGallery, T> read)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        _swap.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult(read(_current));
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
        finally
        {
            _swap.ExitReadLock();
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to a copy, saves the copy when the change reports one (true) and swaps it in;
    /// on any failure the current content and the file stay as they were.
    /// </summary>
    private async Task<bool> Change(CancellationToken cancellationToken, Func<InMemoryFaceGallery, bool> change)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var next = _current.Copy();
            try
            {
                if (!change(next))
                {
                    next.Dispose();
                    return false;
                }
                next.Save(Path);
            }
            catch
            {
                next.Dispose();
                throw;
            }
            InMemoryFaceGallery old;
            _swap.EnterWriteLock();
            try
            {
                old = _current;
                _current = next;
            }
            finally
            {
                _swap.ExitWriteLock();
            }
            old.Dispose();
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
