using System.Threading.Channels;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// Gathers single-image <see cref="Encode(Image{Rgb24})"/> calls made at the same time from many threads (a web server handling
/// one face per request, say) into batches for one <see cref="IFaceEncoder"/>, so that they share forward passes.
/// </summary>
/// <remarks>
/// <para>One worker thread takes every request waiting when it is free (up to <see cref="MaxBatchSize"/>) and
/// encodes them with one <see cref="IFaceEncoder.EncodeBatch(IReadOnlyList{Image{Rgb24}})"/>; requests that arrive
/// while a batch runs form the next batch. Nothing waits on a timer: a lone caller is encoded at once, as by the
/// encoder itself; batching happens only when callers overlap, which turns many single-image passes into a few
/// batched ones (ConcurrentCallersBenchmarks; numbers in docs/performance.md). A batch that fails is retried image by image, so an error reaches only the caller
/// whose image caused it.</para>
/// <para>Results are not bit-stable: an image's embedding depends, in its last bits, on how many other images
/// shared its batch (the convolution kernels pick their blocking and summation order per batch size), so the same
/// image can differ from a direct <see cref="IFaceEncoder.Encode(Image{Rgb24})"/> call, and from itself in another
/// batch, by float rounding (1.3e-7 per component measured for issue 19, 1e-6 at most in the tests). Distances move
/// by the same order, far below any threshold; a caller that needs bit-identical embeddings (golden files, hashes)
/// calls the encoder directly with one image at a time. Making batching bit-stable would mean encoding each image
/// alone, which is what this class exists to avoid.</para>
/// <para>An <see cref="IFaceEncoder"/> itself, so a host registers it as the one shared encoder (what
/// <c>services.AddFaceNet</c> does): every <c>Encode</c> and <c>EncodeBatch</c> overload goes through the queue, the
/// file and stream ones after loading the image (asynchronously in <see cref="EncodeBatchAsync(IReadOnlyList{string}, IProgress{int}?, CancellationToken)"/>)
/// with the wrapped encoder's <see cref="FaceEncoderOptions.ImageLoading"/> when it is a <see cref="FaceEncoder"/>.
/// The wrapped encoder still decides what an image is (an aligned crop, or a photo its detector searches).</para>
/// <para>Thread-safe: call every method from any number of threads. The caller keeps ownership of each image and
/// must not change or dispose it until its call returns. Dispose stops the worker; calls still waiting then fail
/// with <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class CoalescingFaceEncoder : IFaceEncoder
{
    private readonly IFaceEncoder _encoder;
    private readonly bool _ownsEncoder;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _worker;
    private int _largestBatch;
    private long _batches;
    private int _disposed;

    /// <summary>Wraps <paramref name="encoder"/>.</summary>
    /// <param name="encoder">The encoder that runs the batches.</param>
    /// <param name="maxBatchSize">The most images per forward pass (default 32).</param>
    /// <param name="ownsEncoder">Whether <see cref="Dispose"/> disposes <paramref name="encoder"/> too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> is less than 1.</exception>
    public CoalescingFaceEncoder(IFaceEncoder encoder, int maxBatchSize = 32, bool ownsEncoder = false)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        _encoder = encoder;
        _ownsEncoder = ownsEncoder;
        MaxBatchSize = maxBatchSize;
        _worker = new Thread(Run) { IsBackground = true, Name = "FaceNet.Net coalescing encoder" };
        _worker.Start();
    }

    /// <summary>The most images encoded in one forward pass.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The encoder that runs the batches.</summary>
    public IFaceEncoder Encoder => _encoder;

    /// <inheritdoc />
    public int EmbeddingSize => _encoder.EmbeddingSize;

    /// <inheritdoc />
    public string Fingerprint => _encoder.Fingerprint;

    /// <inheritdoc />
    public PreprocessingMode Preprocessing => _encoder.Preprocessing;

    /// <summary>The largest batch run so far (for monitoring how much calls overlap).</summary>
    public int LargestBatch => Volatile.Read(ref _largestBatch);

    /// <summary>The number of batches run so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Encodes one face image, sharing a forward pass with calls that overlap it.</summary>
    /// <param name="image">An RGB face image (any size: resized to 160x160 as by the encoder); not modified.</param>
    /// <returns>The image's embedding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the image was encoded.</exception>
    public FaceEmbedding Encode(Image<Rgb24> image) => EncodeAsync(image).GetAwaiter().GetResult();

    /// <summary>Encodes one face image without blocking the calling thread.</summary>
    /// <param name="image">An RGB face image; the caller must keep it unchanged until the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait; an image already in a running batch is still encoded, and its result dropped.</param>
    /// <returns>The image's embedding.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the image was encoded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task<FaceEmbedding> EncodeAsync(Image<Rgb24> image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new Request(image, cancellationToken);
        if (!_requests.Writer.TryWrite(request)) throw new ObjectDisposedException(nameof(CoalescingFaceEncoder));
        return request.Result.Task;
    }

    /// <summary>Reads the image file at <paramref name="path"/> and encodes it through the queue.</summary>
    /// <exception cref="ImageLoadException">The file is missing or not a usable image.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the image was encoded.</exception>
    public FaceEmbedding Encode(string path)
    {
        using var image = ImageLoader.Load(path, ImageLoading);
        return Encode(image);
    }

    /// <summary>Reads an image from <paramref name="stream"/> and encodes it through the queue.</summary>
    /// <exception cref="ImageLoadException">The stream is not a usable image.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the image was encoded.</exception>
    public FaceEmbedding Encode(Stream stream, string? sourceName = null)
    {
        using var image = ImageLoader.Load(stream, sourceName, ImageLoading);
        return Encode(image);
    }

    /// <summary>Encodes <paramref name="images"/> through the queue (they join the batches of overlapping calls); the result is in input order.</summary>
    /// <exception cref="ArgumentException">An image is null.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the images were encoded.</exception>
    public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<Image<Rgb24>> images) =>
        EncodeBatchAsync(images).GetAwaiter().GetResult();

    /// <summary>Reads the image files and encodes them through the queue; the result is in input order.</summary>
    /// <exception cref="ImageLoadException">The first file that is missing or not a usable image.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the images were encoded.</exception>
    public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var images = new List<Image<Rgb24>>(paths.Count);
        try
        {
            foreach (var path in paths) images.Add(ImageLoader.Load(path, ImageLoading));
            return EncodeBatch(images);
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    /// <summary>
    /// Encodes <paramref name="images"/> through the queue without blocking: the task completes when the worker has
    /// encoded the last of them (no thread waits meanwhile). The result is in input order.
    /// </summary>
    /// <exception cref="ArgumentException">An image is null.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed before the images were encoded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task<IReadOnlyList<FaceEmbedding>> EncodeBatchAsync(IReadOnlyList<Image<Rgb24>> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        for (int i = 0; i < images.Count; i++)
            if (images[i] is null) throw new ArgumentException($"Image {i} of the batch is null.", nameof(images));
        var pending = new Task<FaceEmbedding>[images.Count];
        for (int i = 0; i < images.Count; i++) pending[i] = EncodeAsync(images[i], cancellationToken);
        return await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FaceEmbedding>> EncodeBatchAsync(IReadOnlyList<string> paths, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = new List<FaceEmbedding>(paths.Count);
        foreach (var path in paths)
        {
            using var image = await ImageLoader.LoadAsync(path, ImageLoading, cancellationToken).ConfigureAwait(false);
            result.Add(await EncodeAsync(image, cancellationToken).ConfigureAwait(false));
            progress?.Report(result.Count);
        }
        return result;
    }

    /// <summary>The image limits of the wrapped encoder when it is a <see cref="FaceEncoder"/>, else the defaults.</summary>
    private ImageLoadOptions? ImageLoading => (_encoder as FaceEncoder)?.Options.ImageLoading;

    private void Run()
    {
        var reader = _requests.Reader;
        var batch = new List<Request>(MaxBatchSize);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatchSize && reader.TryRead(out var request))
                if (!request.IsDone) batch.Add(request); // skipped when cancelled while queued
            if (batch.Count == 0) continue;
            if (Volatile.Read(ref _disposed) != 0)
            {
                foreach (var request in batch) request.Fail(new ObjectDisposedException(nameof(CoalescingFaceEncoder)));
                continue;
            }
            Interlocked.Increment(ref _batches);
            if (batch.Count > _largestBatch) Volatile.Write(ref _largestBatch, batch.Count);
            EncodeBatch(batch);
        }
    }

    private void EncodeBatch(List<Request> batch)
    {
        IReadOnlyList<FaceEmbedding> embeddings;
        try
        {
            embeddings = _encoder.EncodeBatch(batch.Select(r => r.Image).ToArray());
        }
        catch (Exception) when (batch.Count > 1)
        {
            // Find whose image failed: one by one, each caller gets its own result or error.
            foreach (var request in batch) EncodeBatch([request]);
            return;
        }
        catch (Exception e)
        {
            batch[0].Fail(e);
            return;
        }
        for (int i = 0; i < batch.Count; i++) batch[i].Succeed(embeddings[i]);
    }

    /// <summary>Stops the worker after the batch it is running; calls still waiting fail with <see cref="ObjectDisposedException"/>. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _requests.Writer.TryComplete();
        if (Thread.CurrentThread != _worker) _worker.Join();
        while (_requests.Reader.TryRead(out var request)) request.Fail(new ObjectDisposedException(nameof(CoalescingFaceEncoder)));
        if (_ownsEncoder) _encoder.Dispose();
    }

    /// <summary>One waiting call: its image and the task its caller waits on.</summary>
    private sealed class Request
    {
        private readonly CancellationTokenRegistration _registration;

        public Request(Image<Rgb24> image, CancellationToken cancellationToken)
        {
            Image = image;
            if (cancellationToken.CanBeCanceled)
                _registration = cancellationToken.Register(static state => ((TaskCompletionSource<FaceEmbedding>)state!).TrySetCanceled(), Result);
        }

        public Image<Rgb24> Image { get; }

        public TaskCompletionSource<FaceEmbedding> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsDone => Result.Task.IsCompleted;

        public void Succeed(FaceEmbedding embedding)
        {
            Result.TrySetResult(embedding);
            _registration.Dispose(); // a long-lived token must not keep finished requests alive
        }

        public void Fail(Exception error)
        {
            Result.TrySetException(error);
            _registration.Dispose();
        }
    }
}
