using FaceNet.Net.Devices;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>
/// Face detection and alignment with MTCNN (P-Net, R-Net, O-Net), a native TorchSharp port of facenet-pytorch's
/// <c>MTCNN</c>: the same cascade, thresholds, NMS, regression and area resampling, so its boxes, probabilities
/// and five landmarks match the reference. Weights load from <c>pnet/rnet/onet.safetensors</c> (or the legacy
/// <c>.pt</c> state dicts).
/// </summary>
/// <remarks>
/// Thread-safe: one instance can be shared; calls are serialised by a lock around the cascade (the networks
/// hold native tensors and are not re-entrant). Holds native memory: dispose it.
/// </remarks>
public sealed class MtcnnFaceDetector : IFaceDetector, IDisposable
{
    private readonly object _gate = new();
    private readonly PNet _pnet;
    private readonly RNet _rnet;
    private readonly ONet _onet;
    private readonly MtcnnCascade _cascade;
    private readonly Device _device;
    private bool _disposed;

    /// <summary>Loads the three networks from explicit weight files (safetensors or legacy <c>.pt</c>).</summary>
    /// <param name="pnetPath">P-Net weights.</param>
    /// <param name="rnetPath">R-Net weights.</param>
    /// <param name="onetPath">O-Net weights.</param>
    /// <param name="options">Settings; null for facenet-pytorch's defaults.</param>
    /// <exception cref="FaceDetectionException">A file is missing or does not fit its network, or an option is out of range.</exception>
    /// <exception cref="DeviceNotAvailableException"><see cref="FaceDetectorOptions.Device"/> is not valid or not available.</exception>
    public MtcnnFaceDetector(string pnetPath, string rnetPath, string onetPath, FaceDetectorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pnetPath);
        ArgumentException.ThrowIfNullOrEmpty(rnetPath);
        ArgumentException.ThrowIfNullOrEmpty(onetPath);
        Options = options ?? new FaceDetectorOptions();
        Options.Validate();
        FaceNetRuntime.EnsureInitialized();
        _device = DeviceResolver.Resolve(Options.Device);

        _pnet = new PNet();
        _rnet = new RNet();
        _onet = new ONet();
        try
        {
            Load(_pnet, pnetPath);
            Load(_rnet, rnetPath);
            Load(_onet, onetPath);
            foreach (var net in new nn.Module[] { _pnet, _rnet, _onet })
            {
                net.eval();
                net.to(_device);
                net.to(Options.DoublePrecision ? ScalarType.Float64 : ScalarType.Float32);
            }
        }
        catch
        {
            DisposeNetworks();
            throw;
        }
        _cascade = new MtcnnCascade(_pnet, _rnet, _onet, Options);
    }

    /// <summary>Loads <c>pnet</c>, <c>rnet</c> and <c>onet</c> weights from <paramref name="folder"/> (<c>.safetensors</c> preferred, else <c>.pt</c>).</summary>
    /// <param name="folder">The folder holding the three weight files.</param>
    /// <param name="options">Settings; null for facenet-pytorch's defaults.</param>
    /// <returns>The detector (dispose it).</returns>
    /// <exception cref="FaceDetectionException">The folder or a file is missing, or a file does not fit its network.</exception>
    /// <exception cref="DeviceNotAvailableException"><see cref="FaceDetectorOptions.Device"/> is not valid or not available.</exception>
    public static MtcnnFaceDetector FromFolder(string folder, FaceDetectorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new FaceDetectionException($"MTCNN weight folder '{folder}' does not exist: it must hold pnet, rnet and onet .safetensors (or .pt) files.");
        return new MtcnnFaceDetector(
            MtcnnWeights.Locate(folder, "pnet"), MtcnnWeights.Locate(folder, "rnet"), MtcnnWeights.Locate(folder, "onet"), options);
    }

    /// <inheritdoc />
    public FaceDetectorOptions Options { get; }

    /// <inheritdoc />
    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Detect([image])[0];
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<DetectedFace>> Detect(IReadOnlyList<Image<Rgb24>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Any(i => i is null)) throw new ArgumentException("The list of photos holds a null entry.", nameof(images));
        var results = new IReadOnlyList<DetectedFace>[images.Count];
        // Photos of equal size share one batch, as facenet-pytorch requires.
        foreach (var group in Enumerable.Range(0, images.Count).GroupBy(i => (images[i].Width, images[i].Height)))
        {
            var indices = group.ToArray();
            var faces = RunCascade(indices.Select(i => images[i]).ToList());
            for (int k = 0; k < indices.Length; k++)
            {
                try
                {
                    results[indices[k]] = Apply(faces[k], Options.FacePolicy);
                }
                catch (FaceDetectionException e) when (images.Count > 1)
                {
                    throw new FaceDetectionException($"Photo {indices[k]} of the list: {e.Message}", e);
                }
            }
        }
        return results;
    }

    /// <inheritdoc />
    public IReadOnlyList<DetectedFace> Detect(string path)
    {
        using var image = ImageLoader.Load(path, Options.ImageLoading);
        try
        {
            return Detect(image);
        }
        catch (FaceDetectionException e)
        {
            throw new FaceDetectionException($"Photo '{path}': {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<AlignedFace> DetectAndAlign(Image<Rgb24> image, FacePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a FacePolicy value.");
        var faces = Apply(RunCascade([image])[0], policy);
        var aligned = new List<AlignedFace>(faces.Count);
        foreach (var face in faces) aligned.Add(new AlignedFace(face, Align(image, face)));
        return aligned;
    }

    /// <inheritdoc />
    public Image<Rgb24> Align(Image<Rgb24> image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        return FaceCropper.Crop(image, face.Box, Options.CropSize, Options.Margin);
    }

    /// <inheritdoc />
    public IReadOnlyList<AlignedFace> DetectAndAlign(string path, FacePolicy policy)
    {
        using var image = ImageLoader.Load(path, Options.ImageLoading);
        try
        {
            return DetectAndAlign(image, policy);
        }
        catch (FaceDetectionException e) when (policy == FacePolicy.Error)
        {
            throw new FaceDetectionException($"Photo '{path}': {e.Message}", e);
        }
    }

    /// <summary>Frees the networks' native tensors. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            DisposeNetworks();
        }
    }

    private List<DetectedFace>[] RunCascade(IReadOnlyList<Image<Rgb24>> images)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var scope = NewDisposeScope();
            var batch = ImageTensors.ToBatch(images, _device, Options.DoublePrecision ? ScalarType.Float64 : ScalarType.Float32);
            return _cascade.Run(batch);
        }
    }

    /// <summary>The faces <paramref name="policy"/> keeps of those the cascade found (most probable first).</summary>
    private static IReadOnlyList<DetectedFace> Apply(IReadOnlyList<DetectedFace> faces, FacePolicy policy) => policy switch
    {
        FacePolicy.Error when faces.Count != 1 => throw new FaceDetectionException(
            faces.Count == 0 ? "No face was found; exactly one was expected." : $"{faces.Count} faces were found; exactly one was expected."),
        FacePolicy.Empty when faces.Count != 1 => [],
        FacePolicy.Largest when faces.Count > 0 => [faces.MaxBy(f => f.Box.Area)!],
        FacePolicy.MostProbable when faces.Count > 0 => [faces.MaxBy(f => f.Probability)!],
        _ => faces,
    };

    private static void Load(nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new FaceDetectionException($"MTCNN weight file '{path}' does not exist.");
        MtcnnWeights.LoadInto(module, MtcnnWeights.Read(path), path);
    }

    private void DisposeNetworks()
    {
        _pnet.Dispose();
        _rnet.Dispose();
        _onet.Dispose();
    }
}
