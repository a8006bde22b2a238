using System.Runtime.InteropServices;
using FaceNet.Net.Native;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>
/// The FaceNet network (Inception-ResNet-v1) with loaded weights, ready to compute raw embeddings.
/// Load it from published Keras <c>.h5</c> weights or from a <c>.safetensors</c> file written by
/// <c>facenet-convert</c>; the format is told by the file's first bytes, not its name.
/// </summary>
/// <remarks>
/// <para><b>Contract of <see cref="Forward"/></b> (stable; <c>FaceEncoder</c> builds on it): input is a float32
/// N x 3 x H x W batch (NCHW, RGB, already preprocessed as <see cref="ExpectedPreprocessing"/> says; H = W = 160
/// for the published weights), output is a new N x <see cref="EmbeddingSize"/> float32 tensor on the CPU holding
/// the raw network output (not L2-normalised), owned by the caller. The input tensor is left untouched.</para>
/// <para><b>Thread safety</b>: every member may be called from any thread. <see cref="Forward"/> serialises calls
/// with a lock (TorchSharp modules are not safe for concurrent forward passes); batch inputs for throughput.
/// Results are deterministic for a given input, device and thread count.</para>
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
    private bool _disposed;

    private FaceNetModel(InceptionResnetV1 network, Device device, ScalarType precision, string fingerprint, string? expectedPreprocessing,
        WeightFileFormat format, IReadOnlyDictionary<string, string> metadata)
    {
        _network = network;
        Device = device;
        Precision = precision;
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

    /// <summary>The device the network runs on.</summary>
    public Device Device { get; }

    /// <summary>
    /// The floating-point type the network computes in: <see cref="ScalarType.Float32"/> (the default),
    /// <see cref="ScalarType.Float16"/> or <see cref="ScalarType.BFloat16"/>. Inputs are cast to it and outputs
    /// converted back to float32, so the <see cref="Forward"/> contract is the same for all three.
    /// </summary>
    public ScalarType Precision { get; }

    /// <summary>Loads the network and its weights from a Keras <c>.h5</c> or a <c>.safetensors</c> file.</summary>
    /// <param name="path">The weight file.</param>
    /// <param name="device">Where to run the network; null for the CPU.</param>
    /// <param name="embeddingSize">The embedding size to require (a file of another size then fails to load); null to take it from the file.</param>
    /// <param name="precision">
    /// The type to compute in: float32 (null, the default); float16 or bfloat16 halve the weights' memory. float16 is
    /// meant for CUDA devices (on the CPU it is much slower than float32). bfloat16 also suits CPUs with the AVX-512
    /// BF16 instructions: on the 2-core AMD Zen 5 build machine it ran 1.6 to 1.9 times float32's throughput, with
    /// L2-normalised embeddings within 1.6e-3 of the float32 reference (docs/performance.md); on CPUs without those
    /// instructions it can be slower than float32. Half precision changes raw outputs by a few hundredths, so
    /// embeddings from it should not be mixed with float32 ones in tight comparisons.
    /// </param>
    /// <returns>The loaded model, in evaluation mode, with BatchNorm folded into the convolutions.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not float32, float16 or bfloat16.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not a readable weight file, or its weights do not fit the network; the message names every missing, unexpected and mis-shaped weight.</exception>
    /// <exception cref="Native.NativeRuntimeException">TorchSharp's native backend cannot be loaded.</exception>
    public static FaceNetModel Load(string path, Device? device = null, int? embeddingSize = null, ScalarType? precision = null) =>
        LoadWithFolding(path, device, embeddingSize, precision, fold: true);

    /// <summary><see cref="Load(string, Device?, int?, ScalarType?)"/> with folding optional (benchmarks compare both).</summary>
    internal static FaceNetModel LoadWithFolding(string path, Device? device, int? embeddingSize, ScalarType? precision, bool fold)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (embeddingSize is <= 0) throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize, "the embedding size must be positive");
        CheckPrecision(precision);
        FaceNetRuntime.EnsureInitialized();
        var loaded = WeightReader.Read(path, embeddingSize);
        return FromWeights(loaded.Weights, loaded.EmbeddingSize, device, loaded.ExpectedPreprocessing, loaded.Format, loaded.Metadata, precision, fold);
    }

    private static void CheckPrecision(ScalarType? precision)
    {
        if (precision is not (null or ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "the precision must be float32, float16 or bfloat16");
    }

    /// <summary>Builds the network, copies checked weights into it and (unless <paramref name="fold"/> is false) folds it for inference.</summary>
    internal static FaceNetModel FromWeights(WeightSet weights, int embeddingSize, Device? device, string? expectedPreprocessing,
        WeightFileFormat format, IReadOnlyDictionary<string, string> metadata, ScalarType? precision = null, bool fold = true)
    {
        CheckPrecision(precision);
        var dtype = precision ?? ScalarType.Float32;
        if (!fold && dtype != ScalarType.Float32) throw new ArgumentException("half precision needs the folded network", nameof(fold));
        FaceNetRuntime.EnsureInitialized();
        NnpackSwitch.EnsureDisabled();
        var network = new InceptionResnetV1(embeddingSize);
        try
        {
            CopyWeights(network, weights);
            device ??= CPU;
            network.to(device);
            network.eval();
            if (fold) network.Fold(dtype);
            return new FaceNetModel(network, device, dtype, weights.Fingerprint(), expectedPreprocessing, format, metadata);
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
            // A raw copy into the (CPU, contiguous, float32) parameter: ~100x faster than torch.tensor + copy_.
            parameter.bytes = MemoryMarshal.AsBytes(source.Values.AsSpan());
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
                var input = DeviceInput.Prepare(nchwBatch, Device, Precision);
                // The folded network runs channels-last where MemoryLayout says so; its weights were laid out so at Fold.
                if (_network.IsFolded && MemoryLayout.ChannelsLastOn(Device.type)) input = MemoryLayout.ToChannelsLast(input);
                output = _network.forward(input);
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
            _network.Dispose();
        }
    }

    /// <inheritdoc />
    FaceNet.Net.Imaging.PreprocessingMode? FaceNet.Net.Embeddings.IEmbeddingNetwork.ExpectedPreprocessing =>
        FaceNet.Net.Imaging.PreprocessingModeNames.TryParse(ExpectedPreprocessing, out var mode) ? mode : null;

    /// <summary>The network itself (tests and benchmarks).</summary>
    internal InceptionResnetV1 Network => _network;
}
