using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using FaceNet.Net.Pretrained;
using FaceNet.Net.Recognition;
using Microsoft.Extensions.Logging;

namespace FaceNet.Net.Hosting;

/// <summary>
/// Builds the library's parts from <see cref="FaceNetOptions"/>: the one place a host's configuration becomes an
/// encoder, a detector and a gallery (used by <c>AddFaceNet</c>). Stateless; thread-safe.
/// </summary>
internal static class FaceNetComponents
{
    /// <summary>The MTCNN detector of <see cref="FaceNetOptions.Mtcnn"/>, or null when it is not set.</summary>
    public static IFaceDetector? CreateDetector(FaceNetOptions options, ILoggerFactory loggerFactory)
    {
        if (options.Mtcnn is null) return null;
        var folder = Directory.Exists(options.Mtcnn) ? options.Mtcnn : Fetch(options.Mtcnn, options);
        loggerFactory.CreateLogger<MtcnnFaceDetector>().LogInformation("MTCNN face detector from {Folder}", folder);
        return MtcnnFaceDetector.FromFolder(folder);
    }

    /// <summary>The encoder of <see cref="FaceNetOptions.Weights"/> on the configured device, precision and backend.</summary>
    public static FaceEncoder CreateEncoder(FaceNetOptions options, IFaceDetector? detector, ILoggerFactory loggerFactory)
    {
        var weights = options.Weights ?? throw new InvalidOperationException("FaceNet:Weights is not set.");
        var path = File.Exists(weights) ? weights : Fetch(weights, options);
        var model = FaceNetModel.Load(path, new InferenceOptions
        {
            Device = options.Device,
            Precision = options.Precision,
            Backend = options.Backend,
            LoggerFactory = loggerFactory,
        });
        try
        {
            var encoder = FaceEncoder.FromModel(model, ownsModel: true, new FaceEncoderOptions
            {
                Preprocessing = options.Preprocessing is null ? null : PreprocessingModeNames.Parse(options.Preprocessing),
                Detector = detector,
                BatchSize = options.MaxBatchSize,
            });
            loggerFactory.CreateLogger<FaceEncoder>().LogInformation(
                "FaceNet encoder: {Weights}, {EmbeddingSize}-d, {Preprocessing}, {Device}, {Backend}, fingerprint {Fingerprint}",
                path, encoder.EmbeddingSize, PreprocessingModeNames.ToName(encoder.Preprocessing), encoder.Device, model.Backend, encoder.Fingerprint);
            return encoder;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="location"/> with the first factory that can.</summary>
    /// <exception cref="InvalidOperationException">No factory opens that location.</exception>
    public static IFaceGallery OpenGallery(string location, IEnumerable<IFaceGalleryFactory> factories, string fingerprint, int embeddingSize)
    {
        var factory = factories.FirstOrDefault(f => f.CanOpen(location))
            ?? throw new InvalidOperationException($"FaceNet:Gallery '{location}' is a location no registered gallery factory opens: give a file path, or register the factory for it (services.AddFaceNetPostgreSql() for a PostgreSQL connection string).");
        return factory.OpenAsync(location, fingerprint, embeddingSize).GetAwaiter().GetResult();
    }

    /// <summary>A catalogue name's local path, downloading it into the cache unless offline.</summary>
    private static string Fetch(string name, FaceNetOptions options) =>
        new WeightsCache(new WeightsCacheOptions { CacheFolder = options.CacheFolder, Offline = options.Offline ? true : null })
            .GetAsync(name).GetAwaiter().GetResult();
}
