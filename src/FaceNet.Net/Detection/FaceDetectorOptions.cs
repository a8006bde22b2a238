using FaceNet.Net.Imaging;

namespace FaceNet.Net.Detection;

/// <summary>
/// Settings of <see cref="MtcnnFaceDetector"/>. The defaults are facenet-pytorch's MTCNN defaults
/// (minimum face 20 px, thresholds 0.6 / 0.7 / 0.7, pyramid factor 0.709, margin 0, 160 px crops).
/// Immutable; check with <see cref="Validate"/> (the detector does so when it is created).
/// </summary>
public sealed record FaceDetectorOptions
{
    /// <summary>The smallest face side, in photo pixels, the scale pyramid looks for (default 20). Smaller is slower.</summary>
    public double MinFaceSize { get; init; } = 20;

    /// <summary>P-Net (proposal) face-probability threshold, default 0.6: a window is kept when its probability is at least this.</summary>
    public double ProposalThreshold { get; init; } = 0.6;

    /// <summary>R-Net (refinement) threshold, default 0.7: a candidate is kept when its probability is above this.</summary>
    public double RefinementThreshold { get; init; } = 0.7;

    /// <summary>O-Net (output) threshold, default 0.7: a face is reported when its probability is above this.</summary>
    public double OutputThreshold { get; init; } = 0.7;

    /// <summary>The ratio between consecutive pyramid scales, in (0, 1), default 0.709 (halves the area per level).</summary>
    public double ScaleFactor { get; init; } = 0.709;

    /// <summary>
    /// Which faces <see cref="IFaceDetector.Detect(SixLabors.ImageSharp.Image{SixLabors.ImageSharp.PixelFormats.Rgb24})"/>
    /// returns (default <see cref="FacePolicy.All"/>); under <see cref="FacePolicy.Error"/> a photo without exactly one
    /// face throws, under <see cref="FacePolicy.Empty"/> it gives no face.
    /// </summary>
    public FacePolicy FacePolicy { get; init; } = FacePolicy.All;

    /// <summary>
    /// Margin around the box in the aligned crop, in pixels of the crop (facenet-pytorch's convention: the box grows
    /// by Margin × box size / (CropSize − Margin) before resizing). Default 0; must be below <see cref="CropSize"/>.
    /// </summary>
    public int Margin { get; init; }

    /// <summary>Side of the square aligned crop in pixels (default 160, FaceNet's input size).</summary>
    public int CropSize { get; init; } = 160;

    /// <summary>
    /// Run the three networks in float64 (default true); box arithmetic and NMS stay float32 as in facenet-pytorch.
    /// MTCNN keeps, among overlapping windows, the one with the highest probability, and around a face many windows
    /// differ only in the sixth decimal, so float32 rounding inside the networks changes which window wins and moves
    /// the final box by up to a few percent. With float64 networks the shared reference detections are reproduced to
    /// about 1e-3 of the box size; false runs several times faster on CPU and agrees with them to about 2%.
    /// </summary>
    public bool DoublePrecision { get; init; } = true;

    /// <summary>
    /// The device the networks run on, by name: <c>cpu</c> (also null, the default), <c>cuda</c>, <c>cuda:N</c> or
    /// <c>auto</c>. A name that is not valid, or CUDA where it is not usable, fails with a
    /// <see cref="Devices.DeviceNotAvailableException"/> when the detector is created.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>Limits for decoding photos in path-based calls. Default <see cref="ImageLoadOptions.Default"/> (40 megapixels).</summary>
    public ImageLoadOptions ImageLoading
    {
        get => _imageLoading;
        init => _imageLoading = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Throws a <see cref="FaceDetectionException"/> naming the first setting that is out of range.</summary>
    /// <exception cref="FaceDetectionException">A setting is out of range.</exception>
    public void Validate()
    {
        if (!(MinFaceSize >= 1) || double.IsInfinity(MinFaceSize))
            throw new FaceDetectionException($"MinFaceSize must be a finite number of pixels ≥ 1, got {MinFaceSize}.");
        CheckProbability(nameof(ProposalThreshold), ProposalThreshold);
        CheckProbability(nameof(RefinementThreshold), RefinementThreshold);
        CheckProbability(nameof(OutputThreshold), OutputThreshold);
        if (!(ScaleFactor > 0.05 && ScaleFactor < 0.99))
            throw new FaceDetectionException($"ScaleFactor must lie in (0.05, 0.99), got {ScaleFactor} (0.709 is the usual value).");
        if (!Enum.IsDefined(FacePolicy))
            throw new FaceDetectionException($"FacePolicy {(int)FacePolicy} is not a FacePolicy value.");
        if (CropSize is < 1 or > 4096)
            throw new FaceDetectionException($"CropSize must lie in 1..4096 pixels, got {CropSize}.");
        if (Margin < 0 || Margin >= CropSize)
            throw new FaceDetectionException($"Margin must lie in 0..{CropSize - 1} (below CropSize), got {Margin}.");
    }

    private readonly ImageLoadOptions _imageLoading = ImageLoadOptions.Default;

    private static void CheckProbability(string name, double value)
    {
        if (!(value >= 0 && value <= 1))
            throw new FaceDetectionException($"{name} must lie in [0, 1], got {value}.");
    }
}
