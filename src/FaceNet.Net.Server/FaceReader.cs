using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Server;

/// <summary>One face found in an upload: its box in the photo (null for an aligned crop) and its embedding.</summary>
internal sealed record UploadedFace(FaceBox? Box, float? Probability, FaceEmbedding Embedding);

/// <summary>
/// Turns an uploaded image into face embeddings: the body is read asynchronously within the pixel and size limits,
/// a 160x160 image is taken as an aligned face crop (as the library's encoder does), any other is searched for faces
/// by the MTCNN detector when one is configured; every crop goes through the shared coalescing encoder, so faces of
/// concurrent requests share forward passes. Thread-safe (a singleton).
/// </summary>
internal sealed class FaceReader(IFaceEncoder encoder, IServiceProvider services, IOptions<ServiceOptions> options)
{
    private const int AlignedSide = 160;

    private readonly MtcnnFaceDetector? _detector = services.GetService<IFaceDetector>() as MtcnnFaceDetector;
    private readonly ImageLoadOptions _limits = new() { MaxPixels = options.Value.MaxPixels, MaxStreamBytes = options.Value.MaxRequestBytes };

    /// <summary>The form's file <paramref name="field"/>, or a 400 naming it.</summary>
    public static IFormFile RequireFile(IFormCollection form, string field) =>
        form.Files.GetFile(field) ?? throw new ServiceException(400, "Missing field",
            $"The multipart form has no file field '{field}': send the image as {field}=@file.");

    /// <summary>The faces in <paramref name="file"/>: all of them (most probable first), or only the largest.</summary>
    /// <exception cref="ServiceException">422 when no face is found.</exception>
    public async Task<IReadOnlyList<UploadedFace>> ReadAsync(IFormFile file, bool allFaces, CancellationToken cancellationToken)
    {
        await using var stream = file.OpenReadStream();
        using var image = await ImageLoader.LoadAsync(stream, file.Name, _limits, cancellationToken);
        if (_detector is null || (image.Width == AlignedSide && image.Height == AlignedSide))
        {
            var aligned = await EncodeAsync([image], cancellationToken);
            return [new UploadedFace(null, null, aligned[0])];
        }

        var faces = _detector.DetectAndAlign(image, allFaces ? FacePolicy.All : FacePolicy.Largest);
        try
        {
            if (faces.Count == 0)
                throw new ServiceException(422, "No face found", $"No face was found in '{file.Name}': send a photo with a visible face, or a 160x160 aligned face crop.");
            var embeddings = await EncodeAsync(faces.Select(f => f.Crop).ToArray(), cancellationToken);
            return faces.Select((f, i) => new UploadedFace(f.Face.Box, f.Face.Probability, embeddings[i])).ToArray();
        }
        finally
        {
            foreach (var face in faces) face.Dispose();
        }
    }

    private Task<IReadOnlyList<FaceEmbedding>> EncodeAsync(IReadOnlyList<Image<Rgb24>> images, CancellationToken cancellationToken) =>
        encoder is CoalescingFaceEncoder coalescing
            ? coalescing.EncodeBatchAsync(images, cancellationToken)
            : Task.FromResult(encoder.EncodeBatch(images));
}
