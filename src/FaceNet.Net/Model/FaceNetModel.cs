using System.Runtime.InteropServices;
using FaceNet.Net.Devices;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Network;
using FaceNet.Net.Native;
using FaceNet.Net.Weights;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// The FaceNet network (Inception-ResNet-v1) with loaded weights, ready to compute raw embeddings.
/// Load it from published Keras <c>.h5</c> weights, a facenet-pytorch <c>.pt</c> state dict, or a <c>.safetensors</c>
/// file written by <c>facenet-convert</c>; the format is told by the file's first bytes, not its name.
/// </summary>
/// <remarks>
/// <para><b>Contract of <see cref="Forward"/></b> (stable; <c>FaceEncoder</c> builds on it): input is a float32
/// N x 3 x H x W batch (NCHW, RGB, already preprocessed as <see cref="ExpectedPreprocessing"/> says; H = W = 160
/// for the published weights), output is a new N x <see cref="EmbeddingSize"/> float32 tensor on the CPU holding
/// the raw network output (not L2-normalised), owned by the caller. The input tensor is left untouched.</para>
/// <para><b>Warm-up</b>: the first pass prepares the backend for its batch size (on the CPU, oneDNN's weights are laid
/// out for that size and the network body is compiled); call <see cref="WarmUp"/> with the batch sizes you will
/// serve to do that up front instead.</para>
/// <para><b>Thread safety</b>: every member may be called from any thread; <see cref="Forward"/> and
/// <see cref="WarmUp"/> take one lock per model, so passes of one model run one at a time (each pass already uses
/// every core); batch inputs for throughput. Results are deterministic for a given input, device and thread count.</para>
/// <para>Holds native tensors: dispose it when done. Using it after <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class FaceNetModel : IDisposable, FaceNet.Net.Embeddings.IEmbeddingNetwork
{
    /// <summary>Smallest input height/width the network's stride chain accepts.</summary>
    public const int MinimumInputSize = 75;

    /// <summary>The input height and width of the published weights.</summary>
    public const int InputSize = 160;

    private readonly object _gate = new();
    private readonly InceptionResnetV1 _network;
    private readonly IInferenceBackend _backend;
    private readonly InferenceSettings _settings;
    private bool _disposed;

    private FaceNetModel(InceptionResnetV1 network, IInferenceBackend backend, InferenceSettings settings, string fingerprint,
        string? expectedPreprocessing, WeightFileFormat format, IReadOnlyDictionary<string, string> metadata)
    {
        _network = network;
        _backend = backend;
        _settings = settings;
        Fingerprint = fingerprint;
        ExpectedPreprocessing = expectedPreprocessing;
        SourceFormat = format;
        Metadata = metadata;
    }

    /// <summary>The embedding size D (128 or 512 for the published weights), detected from the weights.</summary>
    public int EmbeddingSize => _network.EmbeddingSize;

    /// <summary>
    /// Lower-case hex SHA-256 over the parameter tensors (names, shapes and float32 bytes in name order):
    /// the same for a Keras file and the safetensors converted from it, different for any other weights.
    /// Use it to check that stored embeddings came from the same weights.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>
    /// The preprocessing the weights expect, when the file records it: <c>fixed</c>, <c>unit</c> or
    /// <c>prewhiten</c>; null when unknown (Keras files never record it).
    /// </summary>
    public string? ExpectedPreprocessing { get; }

    /// <summary>The format the weights were loaded from.</summary>
    public WeightFileFormat SourceFormat { get; }

    /// <summary>The safetensors metadata of the file (empty for Keras files).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The device the network runs on: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Device => DeviceResolver.NameOf(_settings.Device);

    /// <summary>The type the network computes in. Inputs are cast to it and outputs converted back to float32, so the <see cref="Forward"/> contract is the same for all.</summary>
    public Precision Precision => _settings.Precision;

    /// <summary>
    /// The backend computing the passes now: <c>onednn-compiled</c> (CPU: oneDNN's fused convolutions, the body as one
    /// TorchScript call), <c>onednn-int8</c> (the same with the body's convolutions in int8, <see cref="Precision.Int8"/>),
    /// <c>onednn</c> (module by module), <c>eager</c> or <c>unfolded</c>. Before the first pass (or <see cref="WarmUp"/>)
    /// the oneDNN backend reports <c>onednn</c>.
    /// </summary>
    public string Backend
    {
        get
        {
            lock (_gate) return _backend.Name;
        }
    }

    /// <summary>Loads the network and its weights from a Keras <c>.h5</c>, a facenet-pytorch <c>.pt</c> (legacy or zip <c>torch.save</c>) or a <c>.safetensors</c> file.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="options">Device, precision, backend and embedding size; <see cref="InferenceOptions.Default"/> when null.</param>
    /// <returns>The loaded model, in evaluation mode, with BatchNorm folded into the convolutions (unless the unfolded backend was asked for).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not a readable weight file, or its weights do not fit the network (the message names every missing, unexpected and mis-shaped weight), hold a NaN, an infinity or a negative BatchNorm variance (the message names the tensor), do not match the fingerprint the file records, or give degenerate embeddings (non-finite, all zero, or the same for different images) on a probe pass.</exception>
    /// <exception cref="DeviceNotAvailableException">The device is not valid or not usable.</exception>
    /// <exception cref="ArgumentException">The unfolded backend was asked for in a precision other than float32, or <see cref="Precision.Int8"/> where it cannot run (not the CPU's oneDNN backend).</exception>
    /// <exception cref="FaceNetConfigurationException">A <c>FACENET_*</c> environment override has a value it does not take.</exception>
    /// <exception cref="NativeRuntimeException">TorchSharp's native backend cannot be loaded.</exception>
    public static FaceNetModel Load(string path, InferenceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= InferenceOptions.Default;
        var settings = InferenceSettings.Resolve(options);
        var loaded = WeightReader.Read(path, options.EmbeddingSize);
        return FromWeights(loaded.Weights, loaded.EmbeddingSize, settings, loaded.ExpectedPreprocessing, loaded.Format, loaded.Metadata,
            options.LoggerFactory?.CreateLogger<FaceNetModel>());
    }

    /// <summary>Builds the network, copies checked weights into it and makes its backend (logging through <paramref name="logger"/>, else the runtime's logger factory).</summary>
    internal static FaceNetModel FromWeights(WeightSet weights, int embeddingSize, InferenceSettings settings, string? expectedPreprocessing,
        WeightFileFormat format, IReadOnlyDictionary<string, string> metadata, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        if (settings.Backend == InferenceBackend.Unfolded && settings.DType != ScalarType.Float32)
            throw new ArgumentException("the unfolded backend runs float32 only; use Backend = Auto or Eager for other precisions", nameof(settings));
        FaceNetRuntime.EnsureInitialized();
        NnpackSwitch.EnsureDisabled();
        var network = new InceptionResnetV1(embeddingSize);
        try
        {
            CopyWeights(network, weights);
            network.to(settings.Device);
            network.eval();
            CheckOutput(network, settings.Device, weights.Source);
            logger ??= FaceNetRuntime.LoggerFactory.CreateLogger("FaceNet.Net.Inference");
            var backend = InferenceBackends.Create(network, settings, logger);
            return new FaceNetModel(network, backend, settings, weights.Fingerprint(), expectedPreprocessing, format, metadata);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the weights into a new, trainable Inception-ResNet-v1 on the CPU (training mode, BatchNorm kept as
    /// separate layers): the starting point for fine-tuning. The caller owns and disposes it.
    /// </summary>
    /// <exception cref="WeightLoadException">The file is not a readable FaceNet weight file.</exception>
    internal static InceptionResnetV1 LoadTrainableNetwork(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FaceNetRuntime.EnsureInitialized();
        NnpackSwitch.EnsureDisabled();
        var loaded = WeightReader.Read(path, null);
        var network = new InceptionResnetV1(loaded.EmbeddingSize);
        try
        {
            CopyWeights(network, loaded.Weights);
            network.train();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Copies checked weights into the network's (CPU, float32) parameters and buffers, by name.</summary>
    private static void CopyWeights(InceptionResnetV1 network, WeightSet weights)
    {
        using var noGrad = no_grad();
        var targets = NetworkShapes.Tensors(network).ToList();
        WeightMismatch.Between(targets.Select(p => (p.Name, p.Tensor.shape)), weights)
            .ThrowIfAny(weights.Source, $"the {network.EmbeddingSize}-d Inception-ResNet-v1");
        foreach (var (name, parameter) in targets)
        {
            weights.TryGet(name, out var source);
            // A raw copy into the (CPU, contiguous, float32) parameter: far faster than torch.tensor + copy_.
            parameter.bytes = MemoryMarshal.AsBytes(source.Values.AsSpan());
        }
    }

    /// <summary>The height and width of the probe images: the smallest the network takes, so the probe costs little.</summary>
    private const int ProbeSize = 80;

    /// <summary>
    /// Refuses a network whose output says nothing: one eager pass (before the backend is made, so it does not fix the
    /// backend's batch size) over two different seeded random images must give finite, non-zero embeddings that differ.
    /// Weights that pass every per-tensor check can still give this (zeroed layers, a collapsed bottleneck), and such a
    /// network would match every face with every other.
    /// </summary>
    /// <exception cref="WeightLoadException">The output is non-finite, all zero, or the same for both images; the message names the file.</exception>
    private static void CheckOutput(InceptionResnetV1 network, Device device, string? source)
    {
        float[] output;
        using (var scope = NewDisposeScope())
        using (inference_mode())
        {
            var generator = new Generator(0x5eed);
            var probe = randn([2, 3, ProbeSize, ProbeSize], generator: generator).to(device);
            output = network.forward(probe).to(CPU).to_type(ScalarType.Float32).data<float>().ToArray();
        }
        int size = output.Length / 2;
        var a = output.AsSpan(0, size);
        var b = output.AsSpan(size, size);
        string why = "";
        double normA = 0, normB = 0, difference = 0;
        for (int i = 0; i < size; i++)
        {
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
            difference += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        }
        if (!double.IsFinite(normA) || !double.IsFinite(normB) || !double.IsFinite(difference)) why = "non-finite embeddings";
        else if (normA == 0 || normB == 0) why = "all-zero embeddings";
        else if (Math.Sqrt(difference) <= 1e-5 * Math.Sqrt(Math.Max(normA, normB))) why = "the same embedding for different images";
        if (why.Length == 0) return;
        var subject = source is null ? "the weights" : $"'{source}'";
        throw new WeightLoadException(
            $"{subject}: the network gives {why} on a probe pass, so it cannot tell faces apart; the weights are degenerate or damaged: use intact trained weights");
    }

    /// <summary>
    /// Prepares the model for the batch sizes it will serve, instead of the first pass doing it: lays the weights out
    /// for the first size given (on the CPU, oneDNN packs them per input shape; other sizes still run, a little
    /// slower), builds and checks the compiled body, and runs one pass of every size given so later passes run at full
    /// speed. Input height and width are the published 160 x 160. Does nothing more once the model has run.
    /// </summary>
    /// <param name="batchSizes">The batch sizes, the one served most first; none means 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A batch size is not positive.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public void WarmUp(params int[] batchSizes)
    {
        ArgumentNullException.ThrowIfNull(batchSizes);
        foreach (var size in batchSizes) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(batchSizes));
        var generator = new TorchSharp.torch.Generator(0);
        foreach (var size in batchSizes.Length == 0 ? [1] : batchSizes)
        {
            using var sample = randn([size, 3, InputSize, InputSize], generator: generator);
            Forward(sample).Dispose();
        }
    }

    /// <summary>Computes raw embeddings for a preprocessed batch.</summary>
    /// <param name="nchwBatch">Float32 N x 3 x H x W (RGB, preprocessed), on any device; H, W ≥ <see cref="MinimumInputSize"/> (160 for the published weights).</param>
    /// <returns>A new float32 N x <see cref="EmbeddingSize"/> CPU tensor (not L2-normalised); the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The batch is not float32 N x 3 x H x W with N ≥ 1 and H, W large enough.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Tensor Forward(Tensor nchwBatch)
    {
        ArgumentNullException.ThrowIfNull(nchwBatch);
        var shape = nchwBatch.shape;
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != 3 || shape[2] < MinimumInputSize || shape[3] < MinimumInputSize)
            throw new ArgumentException($"expected a batch of shape N x 3 x H x W with N >= 1 and H, W >= {MinimumInputSize} (160 x 160 for the published weights), got [{string.Join(", ", shape)}]", nameof(nchwBatch));
        if (nchwBatch.dtype != ScalarType.Float32)
            throw new ArgumentException($"expected a float32 batch, got {nchwBatch.dtype}", nameof(nchwBatch));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = NewDisposeScope();
            Tensor output;
            using (inference_mode())
            {
                var input = DeviceInput.Prepare(nchwBatch, _settings.Device, _settings.DType);
                output = _backend.IsPrepared ? _backend.Forward(input) : _backend.Prepare(input);
            }
            // Copied outside inference mode: callers get an ordinary float32 CPU tensor they may modify in place.
            using var noGrad = no_grad();
            return DeviceInput.ToCpuFloat32(output).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Frees the network's native tensors. Safe to call more than once.</summary>
    /// <remarks>Tensors returned by <see cref="Forward"/> stay valid.</remarks>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _backend.Dispose();
            _network.Dispose();
        }
        MallocTuning.ReleaseFreeMemory(); // the freed weights and activations go back to the system, not to a heap kept for reuse
    }

    /// <inheritdoc />
    FaceNet.Net.Imaging.PreprocessingMode? FaceNet.Net.Embeddings.IEmbeddingNetwork.ExpectedPreprocessing =>
        FaceNet.Net.Imaging.PreprocessingModeNames.TryParse(ExpectedPreprocessing, out var mode) ? mode : null;

    /// <summary>The network itself (tests and benchmarks).</summary>
    internal InceptionResnetV1 Network => _network;

    /// <summary>The settings the model was made with (tests).</summary>
    internal InferenceSettings Settings => _settings;
}
