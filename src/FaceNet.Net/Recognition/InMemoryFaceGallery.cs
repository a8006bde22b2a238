using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition.Storage;

namespace FaceNet.Net.Recognition;

/// <summary>
/// A gallery held in memory, saved to and loaded from one file. Identities keep their enrolment order; names are
/// compared ordinally (case-sensitive).
/// </summary>
/// <remarks>
/// <para>Search: all embeddings live in one contiguous [N, D] float32 matrix in native memory, rebuilt lazily on
/// the first search after an enrolment or removal (a rename keeps it); a search is one parallel, vectorised pass
/// over it that keeps the best rows on the way (see <c>docs/recognition.md</c> for timings, including the rebuild). Enrol in batches rather than alternating single
/// enrolments with searches on a large gallery. An identity's distance is the smallest over its embeddings.</para>
/// <para>Thread-safe: a reader/writer lock lets any number of searches run at once, while enrolment, removal and
/// renaming wait for them and run alone (a writer blocks its thread until the searches in progress end).
/// <see cref="Dispose"/> frees the native matrix.</para>
/// <para>Synchronous and asynchronous: with no I/O to wait for, the <see cref="IFaceGallery"/> methods
/// (<c>EnrollAsync</c>, <c>IdentifyAsync</c>, ...) do their work on the calling thread and return a completed task;
/// the synchronous methods (<see cref="Enroll(string, IEnumerable{FaceEmbedding})"/>, <see cref="Identify"/>, ...)
/// are the same work without the task, for callers that hold this type.</para>
/// </remarks>
public sealed class InMemoryFaceGallery : IFaceGallery, IDisposable
{
    /// <summary>The longest identity name accepted, in characters.</summary>
    public const int MaxNameLength = 256;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly InsertionOrderedMap<string, List<float[]>> _identities = new(StringComparer.Ordinal);
    private readonly object _indexGate = new();
    private GallerySearchIndex? _index;
    private int _embeddingCount;
    private bool _disposed;

    /// <summary>Creates an empty gallery for embeddings of <paramref name="embeddingSize"/> values made with the weights <paramref name="fingerprint"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="fingerprint"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="embeddingSize"/> is not positive.</exception>
    public InMemoryFaceGallery(string fingerprint, int embeddingSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingSize);
        if (System.Text.Encoding.UTF8.GetByteCount(fingerprint) > GalleryFile.MaxStringBytes)
            throw new ArgumentException($"A weights fingerprint can have at most {GalleryFile.MaxStringBytes} UTF-8 bytes.", nameof(fingerprint));
        if (embeddingSize > GalleryFile.MaxEmbeddingSize)
            throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize, $"Embeddings can have at most {GalleryFile.MaxEmbeddingSize} values.");
        Fingerprint = fingerprint;
        EmbeddingSize = embeddingSize;
    }

    /// <summary>Creates an empty gallery for the embeddings of <paramref name="encoder"/>.</summary>
    public InMemoryFaceGallery(IFaceEncoder encoder)
        : this((encoder ?? throw new ArgumentNullException(nameof(encoder))).Fingerprint, encoder.EmbeddingSize)
    {
    }

    /// <inheritdoc />
    public string Fingerprint { get; }

    /// <inheritdoc />
    public int EmbeddingSize { get; }

    /// <summary>The number of enrolled identities.</summary>
    public int Count => Read(() => _identities.Count);

    /// <summary>The number of enrolled embeddings over all identities.</summary>
    public int EmbeddingCount => Read(() => _embeddingCount);

    /// <inheritdoc />
    public Task<int> CountAsync(CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => Count);

    /// <inheritdoc />
    public Task<long> EmbeddingCountAsync(CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => (long)EmbeddingCount);

    /// <inheritdoc />
    public Task EnrollAsync(string name, IEnumerable<FaceEmbedding> embeddings, CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => { Enroll(name, embeddings); return true; });

    /// <inheritdoc />
    public Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => Remove(name));

    /// <inheritdoc />
    public Task RenameAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => { Rename(name, newName); return true; });

    /// <inheritdoc />
    public Task<bool> ContainsAsync(string name, CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => Contains(name));

    /// <inheritdoc />
    /// <remarks>A snapshot taken when the enumeration starts; later changes do not affect it.</remarks>
    public async IAsyncEnumerable<GalleryIdentity> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var identity in List())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return identity;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IdentificationResult> IdentifyAsync(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => Identify(probe, topK, metric, threshold));

    /// <inheritdoc />
    public Task<VerificationResult> VerifyAsync(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null,
        CancellationToken cancellationToken = default) =>
        Completed(cancellationToken, () => Verify(probe, name, metric, threshold));

    /// <summary>Adds one embedding to identity <paramref name="name"/>, creating it when new.</summary>
    /// <exception cref="ArgumentException">The name is invalid or the embedding has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">The embedding was made with other weights.</exception>
    public void Enroll(string name, FaceEmbedding embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        Enroll(name, [embedding]);
    }

    /// <summary>
    /// The seed notebook's <c>who_is_it(image, database)</c>: the closest identity and its distance, or unknown
    /// when nobody is within the threshold (<see cref="IdentificationResult.Identity"/> is then null).
    /// </summary>
    public IdentificationResult WhoIsIt(FaceEmbedding probe, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null) =>
        Identify(probe, 1, metric, threshold);

    /// <summary>Adds <paramref name="embeddings"/> to identity <paramref name="name"/>, creating it when new. All or nothing: nothing is added when any embedding is refused.</summary>
    /// <exception cref="ArgumentException">The name is empty, too long or holds control characters; the list is empty; an embedding has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">An embedding was made with other weights.</exception>
    public void Enroll(string name, IEnumerable<FaceEmbedding> embeddings)
    {
        ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(embeddings);
        var vectors = new List<float[]>();
        foreach (var e in embeddings)
        {
            ValidateEmbedding(e, nameof(embeddings));
            vectors.Add(e.VectorArray);
        }
        if (vectors.Count == 0) throw new ArgumentException($"No embeddings given to enrol for '{name}'.", nameof(embeddings));
        Write(() =>
        {
            if (_identities.TryGetValue(name, out var list)) list.AddRange(vectors);
            else _identities.Add(name, vectors);
            _embeddingCount += vectors.Count;
            return true;
        });
    }

    /// <summary>Removes identity <paramref name="name"/> and its embeddings; false when it was not enrolled.</summary>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool removed = false;
        Write(() =>
        {
            if (_identities.Remove(name, out var list))
            {
                _embeddingCount -= list.Count;
                removed = true;
            }
            return removed;
        });
        return removed;
    }

    /// <summary>Renames an identity, keeping its embeddings and its place in the enrolment order.</summary>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    /// <exception cref="ArgumentException"><paramref name="newName"/> is invalid or already enrolled.</exception>
    public void Rename(string name, string newName)
    {
        ArgumentNullException.ThrowIfNull(name);
        ValidateName(newName, nameof(newName));
        Write(() =>
        {
            int index = _identities.IndexOf(name);
            if (index < 0) throw new IdentityNotFoundException(name);
            if (name == newName) return false;
            if (_identities.ContainsKey(newName))
                throw new ArgumentException($"An identity named '{newName}' is already enrolled; remove it first or choose another name.", nameof(newName));
            var list = _identities.GetAt(index).Value;
            _identities.RemoveAt(index);
            _identities.Insert(index, newName, list);
            // Same position, same vectors: the search matrix stays valid, only the name changes.
            _index?.Rename(index, newName);
            return false;
        });
    }

    /// <summary>True when <paramref name="name"/> is enrolled.</summary>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read(() => _identities.ContainsKey(name));
    }

    /// <summary>The enrolled identities in enrolment order.</summary>
    public IReadOnlyList<GalleryIdentity> List() =>
        Read(() => _identities.Select(p => new GalleryIdentity(p.Key, p.Value.Count)).ToList());

    /// <summary>The embeddings enrolled for <paramref name="name"/>, in enrolment order.</summary>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    public IReadOnlyList<FaceEmbedding> GetEmbeddings(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Read(() => _identities.TryGetValue(name, out var list)
            ? list.Select(v => new FaceEmbedding(v, null, Fingerprint)).ToList()
            : throw new IdentityNotFoundException(name));
    }

    /// <summary>The <paramref name="topK"/> closest identities to <paramref name="probe"/>, and the verdict.</summary>
    /// <remarks>An empty gallery gives unknown with no candidates. Candidates are distinct identities; fewer than
    /// <paramref name="topK"/> when fewer are enrolled.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is not positive, or the threshold is not a positive finite number.</exception>
    /// <exception cref="ArgumentException">The probe has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">The probe was made with other weights.</exception>
    public IdentificationResult Identify(FaceEmbedding probe, int topK = 5, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ValidateEmbedding(probe, nameof(probe));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        float t = VerificationThresholds.Resolve(threshold, metric);
        var found = Read(() => CurrentIndex().Search(probe.VectorArray, topK, metric));
        return new IdentificationResult(found.Select(c => new IdentityCandidate(c.Name, c.Distance, c.Distance < t)).ToList(), t, metric);
    }

    /// <summary>Is <paramref name="probe"/> the enrolled identity <paramref name="name"/>? (The seed notebook's <c>verify(image, identity, database)</c>.)</summary>
    /// <exception cref="IdentityNotFoundException"><paramref name="name"/> is not enrolled.</exception>
    /// <exception cref="ArgumentException">The probe has the wrong dimension.</exception>
    /// <exception cref="GalleryWeightsMismatchException">The probe was made with other weights.</exception>
    public VerificationResult Verify(FaceEmbedding probe, string name, DistanceMetric metric = DistanceMetric.Euclidean, float? threshold = null)
    {
        ValidateEmbedding(probe, nameof(probe));
        ArgumentNullException.ThrowIfNull(name);
        float t = VerificationThresholds.Resolve(threshold, metric);
        float distance = Read(() =>
        {
            if (!_identities.TryGetValue(name, out var list)) throw new IdentityNotFoundException(name);
            return list.Min(v => Distances.Compute(probe.VectorArray, v, metric));
        });
        return new VerificationResult(distance < t, distance, t, metric);
    }

    /// <summary>
    /// Writes the gallery to <paramref name="path"/> atomically: to a temporary file beside it, then renamed over it,
    /// so the file is either the old gallery or the new one, never half-written.
    /// </summary>
    /// <exception cref="FaceNetException">The file cannot be written (the message says why); the old file is untouched.</exception>
    public void Save(string path) => Save(path, static file => file);

    /// <summary>Saves through a wrapper of the temporary file's stream (tests inject write failures with it).</summary>
    internal void Save(string path, Func<Stream, Stream> wrap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var content = Read(() => new GalleryContent(Fingerprint, EmbeddingSize,
            _identities.Select(p => new GalleryContent.Identity(p.Key, p.Value.ToArray())).ToList()));
        GalleryFile.Write(path, content, wrap);
    }

    /// <summary>Reads a gallery file whatever weights it was built with (to list or edit it).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GalleryFormatException">The file is not a gallery, is truncated or corrupt, or fails its checksum.</exception>
    public static InMemoryFaceGallery Load(string path)
    {
        var content = GalleryFile.Read(path);
        var gallery = new InMemoryFaceGallery(content.Fingerprint, content.EmbeddingSize);
        foreach (var identity in content.Identities)
        {
            if (gallery._identities.ContainsKey(identity.Name))
                throw new GalleryFormatException($"Gallery file '{path}' is corrupt: identity '{identity.Name}' appears twice.");
            gallery._identities.Add(identity.Name, identity.Embeddings.ToList());
            gallery._embeddingCount += identity.Embeddings.Length;
        }
        return gallery;
    }

    /// <summary>Reads a gallery file and checks that it was built with the weights <paramref name="expectedFingerprint"/>.</summary>
    /// <exception cref="GalleryWeightsMismatchException">The gallery was built with other weights or another embedding size.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GalleryFormatException">The file is not a gallery, is truncated or corrupt, or fails its checksum.</exception>
    public static InMemoryFaceGallery Load(string path, string expectedFingerprint, int expectedEmbeddingSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedFingerprint);
        var gallery = Load(path);
        if (gallery.Fingerprint != expectedFingerprint || gallery.EmbeddingSize != expectedEmbeddingSize)
        {
            var message = $"Gallery '{path}' was built with weights {gallery.Fingerprint} ({gallery.EmbeddingSize}-d), not with the weights in use " +
                $"({expectedFingerprint}, {expectedEmbeddingSize}-d): its distances would be meaningless. Enrol the people again with these weights, or use the weights the gallery was built with.";
            gallery.Dispose();
            throw new GalleryWeightsMismatchException(message, expectedFingerprint, gallery.Fingerprint);
        }
        return gallery;
    }

    /// <summary>Reads a gallery file and checks that it was built with <paramref name="encoder"/>'s weights.</summary>
    /// <exception cref="GalleryWeightsMismatchException">The gallery was built with other weights.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="GalleryFormatException">The file is not a gallery, is truncated or corrupt, or fails its checksum.</exception>
    public static InMemoryFaceGallery Load(string path, IFaceEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return Load(path, encoder.Fingerprint, encoder.EmbeddingSize);
    }

    /// <summary>A copy with the same identities in the same order (the vectors are shared: they are never changed in place).</summary>
    internal InMemoryFaceGallery Copy()
    {
        var copy = new InMemoryFaceGallery(Fingerprint, EmbeddingSize);
        Read(() =>
        {
            foreach (var p in _identities) copy._identities.Add(p.Key, p.Value.ToList());
            copy._embeddingCount = _embeddingCount;
            return true;
        });
        return copy;
    }

    /// <summary>Frees the search matrix, as <see cref="Dispose"/> does.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Frees the search matrix. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _index?.Dispose();
            _index = null;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The search index for the current content; built under the read lock (writers are excluded, so no race with changes).</summary>
    private GallerySearchIndex CurrentIndex()
    {
        lock (_indexGate)
            return _index ??= new GallerySearchIndex(_identities.ToList(), EmbeddingSize);
    }

    /// <summary>Runs <paramref name="action"/> now and wraps its outcome (a result or an exception) in a completed task.</summary>
    private static Task<T> Completed<T>(CancellationToken cancellationToken, Func<T> action)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        try
        {
            return Task.FromResult(action());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private T Read<T>(Func<T> action)
    {
        _lock.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Runs a change alone; when it returns true the search matrix is dropped (rebuilt on the next search).</summary>
    private void Write(Func<bool> change)
    {
        _lock.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (change())
            {
                // No reader holds the matrix now (we hold the write lock).
                _index?.Dispose();
                _index = null;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void ValidateEmbedding(FaceEmbedding embedding, string parameter)
    {
        ArgumentNullException.ThrowIfNull(embedding, parameter);
        if (embedding.Dimension != EmbeddingSize)
            throw new ArgumentException($"The embedding has {embedding.Dimension} values; this gallery holds {EmbeddingSize}-d embeddings.", parameter);
        if (embedding.Source != Fingerprint)
            throw new GalleryWeightsMismatchException(
                $"The embedding was made with weights {embedding.Source}; this gallery was built with {Fingerprint}. Encode with the gallery's weights.",
                Fingerprint, embedding.Source);
    }

    /// <summary>Checks that <paramref name="name"/> can name an identity: not blank, at most <see cref="MaxNameLength"/> characters, no control characters.</summary>
    /// <exception cref="ArgumentException">The name is not acceptable; the message says why.</exception>
    public static void ValidateName(string name) => ValidateName(name, nameof(name));

    internal static void ValidateName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("An identity name cannot be empty or blank.", parameter);
        if (name.Length > MaxNameLength) throw new ArgumentException($"An identity name can have at most {MaxNameLength} characters.", parameter);
        if (name.Any(char.IsControl)) throw new ArgumentException("An identity name cannot contain control characters.", parameter);
    }
}
