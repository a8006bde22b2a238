using FaceNet.Net.Devices;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// The FaceNet encoder: decodes, resizes (bicubic, 160x160) and preprocesses face images, runs the network in
/// batches, and L2-normalises the output.
/// </summary>
/// <remarks>
/// <para>Thread-safe: any number of threads may call the Encode methods at once; each call uses its own buffers and
/// tensors; the passes themselves run one at a time per model (<see cref="Model.FaceNetModel"/>). Results do not depend on how calls interleave.</para>
/// <para><see cref="Dispose"/> waits for calls in progress, then frees the network (unless it was made with
/// <see cref="FromModel"/> and <c>ownsModel: false</c>); later calls throw
/// <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed partial class FaceEncoder : IFaceEncoder
{
    private readonly IEmbeddingNetwork _network;
    private readonly bool _ownsNetwork;
    private readonly FaceEncoderOptions _options;
    private readonly torch.Device _device;
    private readonly ReaderWriterLockSlim _lifetime = new(LockRecursionPolicy.NoRecursion);
    private volatile bool _disposed;

    /// <summary>Wraps <paramref name="network"/> (owned and disposed with the encoder unless <paramref name="ownsNetwork"/> is false).</summary>
    /// <exception cref="DeviceNotAvailableException">The options name a device that is not valid or not available.</exception>
    internal FaceEncoder(IEmbeddingNetwork network, FaceEncoderOptions? options = null, bool ownsNetwork = true)
        : this(network, options, ownsNetwork, device: null)
    {
    }

    /// <summary>Wraps <paramref name="network"/>, which runs on <paramref name="device"/> when given, else on the device the options name.</summary>
    private FaceEncoder(IEmbeddingNetwork network, FaceEncoderOptions? options, bool ownsNetwork, torch.Device? device)
    {
        ArgumentNullException.ThrowIfNull(network);
        FaceNetRuntime.EnsureInitialized();
        _options = options ?? new FaceEncoderOptions();
        if (_options.Input == FaceEncoderInput.Photo && _options.Detector is null)
            throw new ArgumentException("FaceEncoderOptions.Input is Photo but no Detector is set: give a face detector (MTCNN weights) or use Input = Auto or Aligned.", nameof(options));
        _device = device ?? DeviceResolver.Resolve(_options.Device);
        if (_options.Threads is int threads) torch.set_num_threads(threads);
        _network = network;
        _ownsNetwork = ownsNetwork;
        Preprocessing = PreprocessingRule.Choose(_options.Preprocessing, network.ExpectedPreprocessing);
    }

    /// <summary>
    /// Loads FaceNet weights (a Keras <c>.h5</c> in any published layout, a facenet-pytorch <c>.pt</c>, or a converted <c>.safetensors</c>) onto
    /// the device of <paramref name="options"/> and returns an encoder that owns them.
    /// </summary>
    /// <exception cref="FaceNet.Net.Weights.WeightLoadException">The file is missing, corrupt or not FaceNet weights.</exception>
    /// <exception cref="DeviceNotAvailableException">The options name a device that is not valid or not available.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FaceEncoderOptions.Precision"/> is not a defined <see cref="Net.Precision"/> value.</exception>
    public static FaceEncoder FromWeights(string path, FaceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FaceNetRuntime.EnsureInitialized();
        var model = FaceNet.Net.Model.FaceNetModel.Load(path, new FaceNet.Net.Model.InferenceOptions
        {
            Device = options?.Device,
            Precision = options?.Precision ?? Precision.Float32,
        });
        try
        {
            return new FaceEncoder(model, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An encoder around a model that is already loaded, for callers that also use the model directly (for example
    /// <see cref="FaceNet.Net.Model.FaceNetModel.Forward"/> on their own tensors) or share one model between encoders
    /// with different options. The encoder runs on the model's device and in its precision.
    /// </summary>
    /// <param name="model">The loaded network.</param>
    /// <param name="ownsModel">True: the encoder disposes <paramref name="model"/> with itself. False: the caller keeps
    /// it and must dispose it only after the encoder.</param>
    /// <param name="options">How the encoder runs; <see cref="FaceEncoderOptions.Device"/> and
    /// <see cref="FaceEncoderOptions.Precision"/> may be left null (the model's), and when set must be the model's
    /// (<see cref="Precision.Auto"/>: what it picks on the model's device).</param>
    /// <returns>An encoder over <paramref name="model"/>. Thread-safe like every <see cref="FaceEncoder"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="options"/> name another device or precision than the model's.</exception>
    /// <exception cref="DeviceNotAvailableException"><see cref="FaceEncoderOptions.Device"/> is not a valid or available device.</exception>
    /// <remarks>Encoding after the model was disposed throws <see cref="ObjectDisposedException"/>.</remarks>
    public static FaceEncoder FromModel(FaceNet.Net.Model.FaceNetModel model, bool ownsModel, FaceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = DeviceResolver.Resolve(model.Device);
        if (options?.Device is { } name && DeviceResolver.NameOf(DeviceResolver.Resolve(name)) != model.Device)
            throw new ArgumentException($"The options name device '{name}', but the model runs on '{model.Device}': leave Device null, or load the model on that device.", nameof(options));
        if (options?.Precision is { } precision && precision.ResolveFor(device) != model.Precision)
            throw new ArgumentException($"The options ask for {precision}, but the model computes in {model.Precision}: leave Precision null, or load the model in that precision.", nameof(options));
        return new FaceEncoder(model, options, ownsModel, device);
    }

    /// <inheritdoc />
    public int EmbeddingSize => _network.EmbeddingSize;

    /// <inheritdoc />
    public string Fingerprint => _network.Fingerprint;

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="FaceEncoderOptions.Preprocessing"/> when given; else what the weights declare; else
    /// <see cref="PreprocessingMode.Prewhiten"/>, the convention of the published Keras FaceNet weights.
    /// </remarks>
    public PreprocessingMode Preprocessing { get; }

    /// <summary>The canonical name of the device the encoder was created for: <c>cpu</c> or <c>cuda:N</c> (<c>auto</c> resolved).</summary>
    public string Device => DeviceResolver.NameOf(_device);

    /// <summary>The options the encoder was created with.</summary>
    public FaceEncoderOptions Options => _options;

    /// <inheritdoc />
    public FaceEmbedding Encode(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfDisposed();
        return EncodeImages([image])[0];
    }

    /// <inheritdoc />
    public FaceEmbedding Encode(string path)
    {
        ThrowIfDisposed();
        using var image = ImageLoader.Load(path, _options.ImageLoading);
        return EncodeImages([image], [path])[0];
    }

    /// <inheritdoc />
    public FaceEmbedding Encode(Stream stream, string? sourceName = null)
    {
        ThrowIfDisposed();
        using var image = ImageLoader.Load(stream, sourceName, _options.ImageLoading);
        return EncodeImages([image], sourceName is null ? null : [sourceName])[0];
    }

    /// <inheritdoc />
    public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<Image<Rgb24>> images) =>
        EncodeImagesInBatches(images, null, CancellationToken.None);

    /// <inheritdoc />
    public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<string> paths) =>
        EncodeFilesInBatchesAsync(paths, asynchronous: false, null, CancellationToken.None).GetAwaiter().GetResult(); // completes synchronously

    /// <inheritdoc />
    public Task<IReadOnlyList<FaceEmbedding>> EncodeBatchAsync(IReadOnlyList<string> paths, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        EncodeFilesInBatchesAsync(paths, asynchronous: true, progress, cancellationToken);

    private static void ValidatePaths(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        for (int i = 0; i < paths.Count; i++)
            if (string.IsNullOrEmpty(paths[i])) throw new ArgumentException($"Path {i} of the batch is null or empty.", nameof(paths));
    }

    private IReadOnlyList<FaceEmbedding> EncodeImagesInBatches(IReadOnlyList<Image<Rgb24>> images, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        for (int i = 0; i < images.Count; i++)
            if (images[i] is null) throw new ArgumentException($"Image {i} of the batch is null.", nameof(images));
        ThrowIfDisposed();
        var result = new List<FaceEmbedding>(images.Count);
        int batch = _options.BatchSize;
        for (int start = 0; start < images.Count; start += batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = new Image<Rgb24>[Math.Min(batch, images.Count - start)];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = images[start + i];
            result.AddRange(EncodeImages(chunk));
            progress?.Report(result.Count);
        }
        return result;
    }

    /// <summary>
    /// Encodes files in batches. <paramref name="asynchronous"/>: each file's bytes are read asynchronously (the I/O;
    /// decoding and the network are CPU work); otherwise the method completes synchronously (no await suspends).
    /// </summary>
    private async Task<IReadOnlyList<FaceEmbedding>> EncodeFilesInBatchesAsync(IReadOnlyList<string> paths, bool asynchronous, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ValidatePaths(paths);
        ThrowIfDisposed();
        var result = new List<FaceEmbedding>(paths.Count);
        int batch = _options.BatchSize;
        for (int start = 0; start < paths.Count; start += batch)
        {
            var chunk = new Image<Rgb24>[Math.Min(batch, paths.Count - start)];
            try
            {
                for (int i = 0; i < chunk.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    chunk[i] = asynchronous
                        ? await ImageLoader.LoadAsync(paths[start + i], _options.ImageLoading, cancellationToken).ConfigureAwait(false)
                        : ImageLoader.Load(paths[start + i], _options.ImageLoading);
                }
                result.AddRange(EncodeImages(chunk, paths.Skip(start).Take(chunk.Length).ToArray()));
            }
            finally
            {
                foreach (var image in chunk) image?.Dispose();
            }
            progress?.Report(result.Count);
        }
        return result;
    }

    /// <summary>
    /// Encodes input that is already preprocessed: N face crops of 160 x 160 x 3 floats each, row by row, channels
    /// last (NHWC, RGB), scaled as the weights expect. No resizing, preprocessing or face detection is applied (a
    /// configured <see cref="FaceEncoderOptions.Detector"/> and <see cref="Preprocessing"/> are ignored); the network
    /// runs in batches of <see cref="FaceEncoderOptions.BatchSize"/> and the outputs are L2-normalised as for images.
    /// For pixel data from another pipeline, or inputs shared with a reference implementation.
    /// </summary>
    /// <param name="nhwc">N x 160 x 160 x 3 float32 values, N ≥ 1 (copied; the caller's memory is not kept).</param>
    /// <returns>One embedding per face, in order (with <see cref="FaceEmbedding.Raw"/> when <see cref="FaceEncoderOptions.IncludeRaw"/> is set).</returns>
    /// <exception cref="ArgumentException">The length is not a positive multiple of 160 x 160 x 3 = 76,800.</exception>
    /// <exception cref="FaceNetException">The network produced NaN or infinity.</exception>
    /// <exception cref="ObjectDisposedException">The encoder was disposed.</exception>
    /// <remarks>Thread-safe, like the other Encode methods.</remarks>
    public IReadOnlyList<FaceEmbedding> EncodePreprocessed(ReadOnlySpan<float> nhwc)
    {
        if (nhwc.IsEmpty || nhwc.Length % FaceInput.ValuesPerImage != 0)
            throw new ArgumentException($"Expected N x {FaceInput.Size} x {FaceInput.Size} x 3 floats (a positive multiple of {FaceInput.ValuesPerImage}), got {nhwc.Length}.", nameof(nhwc));
        ThrowIfDisposed();
        int count = nhwc.Length / FaceInput.ValuesPerImage, batch = _options.BatchSize;
        var result = new List<FaceEmbedding>(count);
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            using var input = FaceInput.FromNhwc(nhwc.Slice(start * FaceInput.ValuesPerImage, n * FaceInput.ValuesPerImage));
            result.AddRange(EncodeTensor(input, n));
        }
        return result;
    }

    /// <summary>One forward pass over <paramref name="images"/> (at most one batch), which are face crops.</summary>
    private FaceEmbedding[] EncodeFaceImages(Image<Rgb24>[] images)
    {
        // N x 3 x 160 x 160 over NHWC (channels-last) memory, built outside the lock; disposed after the forward pass.
        using var batch = FaceBatch.ToTensor(images, Preprocessing);
        return EncodeTensor(batch, images.Length);
    }

    /// <summary>One forward pass over a preprocessed N x 3 x 160 x 160 batch: the L2-normalised embeddings, in order.</summary>
    private FaceEmbedding[] EncodeTensor(torch.Tensor batch, int n)
    {
        float[] output;
        int size;
        _lifetime.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            size = _network.EmbeddingSize;
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var raw = _network.Forward(batch);
            if (raw.ndim != 2 || raw.shape[0] != n || raw.shape[1] != size)
                throw new FaceNetException($"The network returned a tensor of shape [{string.Join(", ", raw.shape)}]; expected [{n}, {size}].");
            if (raw.device_type != DeviceType.CPU) raw = raw.cpu();
            if (raw.dtype != torch.ScalarType.Float32) raw = raw.to_type(torch.ScalarType.Float32);
            output = raw.contiguous().data<float>().ToArray();
        }
        finally
        {
            _lifetime.ExitReadLock();
        }

        var result = new FaceEmbedding[n];
        for (int i = 0; i < n; i++)
        {
            var row = output.AsSpan(i * size, size);
            foreach (var v in row)
                if (!float.IsFinite(v))
                    throw new FaceNetException($"The network produced NaN or infinity for image {i} of the batch; the weights are probably broken.");
            result[i] = new FaceEmbedding(FaceEmbedding.Normalize(row), _options.IncludeRaw ? row.ToArray() : null, Fingerprint);
        }
        return result;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Waits for encodings in progress, then frees the network (when owned). Calling it again does nothing.</summary>
    public void Dispose()
    {
        _lifetime.EnterWriteLock();
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_ownsNetwork) _network.Dispose();
            _ownedDetector?.Dispose();
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }
}
