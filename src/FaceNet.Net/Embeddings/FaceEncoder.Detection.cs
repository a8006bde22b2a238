using FaceNet.Net.Detection;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Embeddings;

/// <summary>Encoding ordinary photos: detect, align, encode (when a face detector is configured).</summary>
public sealed partial class FaceEncoder
{
    private IDisposable? _ownedDetector;

    /// <summary>The network the encoder runs (tests share it between encoders).</summary>
    internal IEmbeddingNetwork Network => _network;

    /// <summary>
    /// Loads FaceNet weights and an MTCNN face detector (a folder with <c>pnet</c>, <c>rnet</c> and <c>onet</c> weights,
    /// <c>.safetensors</c> or legacy <c>.pt</c>), so that every Encode call takes an ordinary photo: the face chosen by
    /// <see cref="FaceEncoderOptions.FacePolicy"/> is detected, aligned to 160x160 and encoded. The encoder owns and
    /// disposes the detector.
    /// </summary>
    /// <exception cref="FaceNet.Net.Weights.WeightLoadException">The FaceNet weights cannot be loaded.</exception>
    /// <exception cref="FaceDetectionException">The MTCNN weights cannot be loaded.</exception>
    public static FaceEncoder FromWeights(string weightsPath, string mtcnnWeightsFolder, FaceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mtcnnWeightsFolder);
        var detector = MtcnnFaceDetector.FromFolder(mtcnnWeightsFolder);
        try
        {
            var encoder = FromWeights(weightsPath, (options ?? new FaceEncoderOptions()).WithDetector(detector));
            encoder._ownedDetector = detector;
            return encoder;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Detects the faces in <paramref name="photo"/> with the configured <see cref="FaceEncoderOptions.Detector"/>, and
    /// encodes those <paramref name="policy"/> selects (all of them, most probable first, by default). A photo with no
    /// face gives an empty list (except under <see cref="FacePolicy.Error"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The encoder has no detector.</exception>
    public IReadOnlyList<FaceEmbedding> EncodeFaces(Image<Rgb24> photo, FacePolicy policy = FacePolicy.All)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ThrowIfDisposed();
        var detector = _options.Detector ?? throw new InvalidOperationException("This encoder has no face detector: set FaceEncoderOptions.Detector or use FaceEncoder.FromWeights(weights, mtcnnFolder).");
        var faces = detector.DetectAndAlign(photo, policy);
        try
        {
            return faces.Count == 0 ? [] : EncodeFaceImages(faces.Select(f => f.Crop).ToArray());
        }
        finally
        {
            foreach (var face in faces) face.Dispose();
        }
    }

    /// <summary>Reads the photo at <paramref name="path"/> and encodes its faces as <see cref="EncodeFaces(Image{Rgb24}, FacePolicy)"/> does.</summary>
    public IReadOnlyList<FaceEmbedding> EncodeFaces(string path, FacePolicy policy = FacePolicy.All)
    {
        ThrowIfDisposed();
        using var photo = ImageLoader.Load(path, _options.ImageLoading);
        return EncodeFaces(photo, policy);
    }

    /// <summary>
    /// Encodes one batch of inputs: aligned face crops as they are and, with a detector, photos through the face
    /// <see cref="FaceEncoderOptions.FacePolicy"/> picks (<see cref="FaceEncoderOptions.Input"/> says which is which).
    /// A photo without a face is an error naming the file (<paramref name="names"/>) or its position in the batch.
    /// </summary>
    private FaceEmbedding[] EncodeImages(Image<Rgb24>[] images, IReadOnlyList<string>? names = null)
    {
        var detector = _options.Detector;
        if (detector is null || _options.Input == FaceEncoderInput.Aligned) return EncodeFaceImages(images);
        var crops = new List<AlignedFace>(images.Length);
        var inputs = new Image<Rgb24>[images.Length];
        try
        {
            for (int i = 0; i < images.Length; i++)
            {
                if (!IsPhoto(images[i], detector))
                {
                    inputs[i] = images[i];
                    continue;
                }
                string what = names is null ? $"Input {i} of the batch" : $"Photo '{names[i]}'";
                IReadOnlyList<AlignedFace> faces;
                try
                {
                    faces = detector.DetectAndAlign(images[i], _options.FacePolicy);
                }
                catch (FaceDetectionException e)
                {
                    throw new FaceDetectionException($"{what}: {e.Message}", e);
                }
                crops.AddRange(faces);
                if (faces.Count != 1)
                    throw new FaceDetectionException($"{what}: no face was found in the photo ({images[i].Width}x{images[i].Height}).");
                inputs[i] = faces[0].Crop;
            }
            return EncodeFaceImages(inputs);
        }
        finally
        {
            foreach (var crop in crops) crop.Dispose();
        }
    }

    /// <summary>Whether <paramref name="image"/> is taken as a photo (detected) rather than an aligned crop: <see cref="FaceEncoderInput"/>'s rule.</summary>
    private bool IsPhoto(Image<Rgb24> image, IFaceDetector detector) => _options.Input switch
    {
        FaceEncoderInput.Photo => true,
        FaceEncoderInput.Aligned => false,
        _ => image.Width != detector.Options.CropSize || image.Height != detector.Options.CropSize,
    };
}
