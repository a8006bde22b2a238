using FaceNet.Net.Detection;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Embeddings;

/// <summary>
/// How a <see cref="FaceEncoder"/> runs. Immutable (init-only), so one instance may be shared by any number of threads.
/// </summary>
public sealed class FaceEncoderOptions
{
    /// <summary>The default number of images per forward pass.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>
    /// Where the network runs, by name: <c>cpu</c> (also null, the default), <c>cuda</c> (<c>cuda:0</c>), <c>cuda:N</c>, or
    /// <c>auto</c> (the first CUDA device when CUDA is usable, else the CPU); any case. A name that is not one of these, or
    /// CUDA where it is not usable (no TorchSharp CUDA package, no driver, no such device index), fails with a
    /// <see cref="Devices.DeviceNotAvailableException"/> when the encoder is created, instead of silently falling back
    /// to the CPU. An encoder made with <see cref="FaceEncoder.FromModel"/> runs on the model's device: null there, or a
    /// name of that device.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>
    /// The type the network computes in when <see cref="FaceEncoder.FromWeights(string, FaceEncoderOptions?)"/> loads it:
    /// <see cref="Net.Precision.Float32"/> (also null, the default), <see cref="Net.Precision.Float16"/> /
    /// <see cref="Net.Precision.BFloat16"/> for CUDA devices (half the weight memory, tensor cores), or
    /// <see cref="Net.Precision.BFloat16"/> on a CPU with the AVX-512 BF16 instructions (faster than float32 there), or
    /// <see cref="Net.Precision.Auto"/> to let the loader pick between those two for the device. Inputs are cast to it and outputs converted back to float32; raw outputs move by a few hundredths, so do not
    /// mix embeddings of different precisions in tight comparisons. An encoder made with
    /// <see cref="FaceEncoder.FromModel"/> computes in the model's precision: null there, or the model's.
    /// </summary>
    public Precision? Precision { get; init; }

    /// <summary>
    /// The preprocessing applied to pixels. When null the encoder uses the weights' own convention
    /// (<see cref="FaceEncoder.Preprocessing"/>): what the weight source declares, else
    /// <see cref="PreprocessingMode.Prewhiten"/>, the convention of the published Keras FaceNet weights
    /// (keras-facenet, deepface "Facenet", davidsandberg/facenet).
    /// </summary>
    public PreprocessingMode? Preprocessing { get; init; }

    /// <summary>Images per forward pass for batches (memory grows with it). Default <see cref="DefaultBatchSize"/>.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _batchSize = value;
        }
    }

    /// <summary>
    /// When set, the encoder calls <c>torch.set_num_threads</c> with it on creation. This is process-wide: it
    /// changes the intra-op thread count of every TorchSharp computation in the process, not only this encoder's.
    /// Null (the default) leaves the setting alone.
    /// </summary>
    public int? Threads
    {
        get => _threads;
        init
        {
            if (value is not null) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value.Value);
            _threads = value;
        }
    }

    /// <summary>Keep the raw network output in <see cref="FaceEmbedding.Raw"/> (default false: only the normalised vector).</summary>
    public bool IncludeRaw { get; init; }

    /// <summary>Limits for decoding image files and streams. Default <see cref="ImageLoadOptions.Default"/>.</summary>
    public ImageLoadOptions ImageLoading
    {
        get => _imageLoading;
        init => _imageLoading = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// A face detector that turns each input photo into an aligned face crop before encoding (detect, align as
    /// facenet-pytorch does, encode); <see cref="Input"/> says which images are photos (by default those that are not
    /// 160x160). Null (the default): inputs are aligned face crops. The encoder does not dispose a detector
    /// given here; <see cref="FaceEncoder.FromWeights(string, string, FaceEncoderOptions?)"/> creates and owns one.
    /// </summary>
    public IFaceDetector? Detector { get; init; }

    /// <summary>
    /// Which face a single-face call (<c>Encode</c>, <c>EncodeBatch</c>) uses when <see cref="Detector"/> is set:
    /// <see cref="FacePolicy.Largest"/> (the default), <see cref="FacePolicy.MostProbable"/>, or
    /// <see cref="FacePolicy.Error"/> (exactly one face, else an error). A photo without a face is always an error
    /// there; <see cref="FaceEncoder.EncodeFaces(Image{Rgb24}, FacePolicy)"/> returns every face, or none, instead.
    /// </summary>
    public FacePolicy FacePolicy
    {
        get => _facePolicy;
        init
        {
            if (value is not (FacePolicy.Largest or FacePolicy.MostProbable or FacePolicy.Error))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Single-face encoding takes Largest, MostProbable or Error; use FaceEncoder.EncodeFaces for All or Empty.");
            _facePolicy = value;
        }
    }

    /// <summary>
    /// What the images are (default <see cref="FaceEncoderInput.Auto"/>: with a <see cref="Detector"/>, a 160x160 image
    /// is an aligned crop and any other size a photo whose face is detected; without one, every image is an aligned crop).
    /// <see cref="FaceEncoderInput.Photo"/> needs a <see cref="Detector"/>: the encoder refuses to be created without one.
    /// </summary>
    public FaceEncoderInput Input
    {
        get => _input;
        init
        {
            if (!Enum.IsDefined(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Not a FaceEncoderInput value.");
            _input = value;
        }
    }

    /// <summary>A copy of these options with <see cref="Detector"/> set.</summary>
    internal FaceEncoderOptions WithDetector(IFaceDetector detector) => new()
    {
        Device = Device, Precision = Precision, Preprocessing = Preprocessing, BatchSize = BatchSize, Threads = Threads, IncludeRaw = IncludeRaw,
        ImageLoading = ImageLoading, Detector = detector, FacePolicy = FacePolicy, Input = Input,
    };

    /// <summary>A copy of these options with <see cref="Preprocessing"/> set.</summary>
    internal FaceEncoderOptions WithPreprocessing(PreprocessingMode? preprocessing) => new()
    {
        Device = Device, Precision = Precision, Preprocessing = preprocessing, BatchSize = BatchSize, Threads = Threads, IncludeRaw = IncludeRaw,
        ImageLoading = ImageLoading, Detector = Detector, FacePolicy = FacePolicy, Input = Input,
    };

    private readonly FaceEncoderInput _input = FaceEncoderInput.Auto;
    private readonly FacePolicy _facePolicy = FacePolicy.Largest;
    private readonly int _batchSize = DefaultBatchSize;
    private readonly int? _threads;
    private readonly ImageLoadOptions _imageLoading = ImageLoadOptions.Default;
}
