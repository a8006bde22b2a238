using FaceNet.Net.CommandLine;
using FaceNet.Net.Detection;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// Turns the image files a command is given into the face crops it encodes, by the one rule of
/// <see cref="FaceOptions"/>: a 160x160 image is an aligned crop, any other image a photo whose faces the MTCNN
/// detector finds (<c>--aligned</c> / <c>--detect</c> override). A photo is never encoded whole: without a detector it
/// is refused, naming the file and the missing MTCNN weights. Every message names the file.
/// </summary>
/// <param name="detector">The face detector, or null when no MTCNN weights are available.</param>
/// <param name="aligned"><c>--aligned</c>: every input is a crop.</param>
/// <param name="detect"><c>--detect</c>: every input is a photo.</param>
internal sealed class InputFaces(IFaceDetector? detector, bool aligned, bool detect)
{
    /// <summary>
    /// The faces of <paramref name="path"/> that <paramref name="choice"/> selects: one for an aligned crop; for a photo
    /// the largest, the Nth (the only face of a one-face photo), every face, or (<paramref name="choice"/> null) the only one, refusing a photo with several
    /// when <paramref name="oneFace"/> and returning them all otherwise. The caller disposes the crops.
    /// </summary>
    /// <exception cref="UsageException">The photo cannot be detected (no MTCNN weights), holds no face, or several when one is needed.</exception>
    public List<InputFace> Read(string path, FaceChoice? choice, bool oneFace)
    {
        using var image = ImageLoader.Load(path);
        bool photo = detect || (!aligned && (image.Width != FaceOptions.AlignedSize || image.Height != FaceOptions.AlignedSize));
        if (!photo) return [new InputFace(path, ToAlignedSize(image), null, null, null)];
        if (detector is null)
            throw new UsageException(
                $"'{path}' is a {image.Width}x{image.Height} photo, not a {FaceOptions.AlignedSize}x{FaceOptions.AlignedSize} aligned face crop, and no MTCNN face detector weights are available to find the face in it: " +
                "pass --mtcnn <folder with the pnet, rnet and onet weights> or --mtcnn mtcnn (fetched with 'facenet weights get mtcnn'), or --aligned if the image is already a face crop");

        IReadOnlyList<DetectedFace> faces;
        try
        {
            faces = detector.Detect(image);
        }
        catch (FaceDetectionException e)
        {
            throw new FaceDetectionException($"'{path}': {e.Message}", e);
        }
        if (faces.Count == 0)
            throw new UsageException($"'{path}': no face was found in the photo ({image.Width}x{image.Height}); give a photo where the face is visible (at least 20 pixels), or --aligned if the image is already a face crop");

        List<int> picked;
        if (choice is null)
        {
            if (oneFace && faces.Count > 1)
                throw new UsageException($"'{path}' holds {faces.Count} faces; choose one with --face largest or --face N (1 to {faces.Count}, most probable first, as 'facenet detect' lists them)");
            picked = Enumerable.Range(0, faces.Count).ToList();
        }
        else
        {
            picked = choice.Kind switch
            {
                FaceChoiceKind.All => Enumerable.Range(0, faces.Count).ToList(),
                FaceChoiceKind.Largest => [Enumerable.Range(0, faces.Count).MaxBy(i => faces[i].Box.Area)],
                // --face N chooses among several faces; a photo of one face (the other input of verify, say) uses it.
                _ when faces.Count == 1 => [0],
                _ when choice.Number > faces.Count => throw new UsageException($"--face {choice.Number}: '{path}' holds only {faces.Count} face(s)"),
                _ => [choice.Number - 1],
            };
        }

        var result = new List<InputFace>(picked.Count);
        try
        {
            foreach (int i in picked)
                result.Add(new InputFace(path, detector.Align(image, faces[i]), faces[i].Box, i + 1, faces.Count));
        }
        catch
        {
            foreach (var f in result) f.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>A copy of <paramref name="image"/> at 160x160 (bicubic, stretched: what the encoder does to a crop of another size).</summary>
    private static Image<Rgb24> ToAlignedSize(Image<Rgb24> image) =>
        image.Width == FaceOptions.AlignedSize && image.Height == FaceOptions.AlignedSize
            ? image.Clone()
            : image.Clone(x => x.Resize(new ResizeOptions
            {
                Size = new Size(FaceOptions.AlignedSize, FaceOptions.AlignedSize),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Bicubic,
            }));
}

/// <summary>One face to encode: its file, its 160x160 crop (owned), and for a photo the box, its number (1-based) and how many faces the photo holds.</summary>
internal sealed record InputFace(string File, Image<Rgb24> Crop, FaceBox? Box, int? Number, int? FacesFound) : IDisposable
{
    /// <summary>The box as [x1, y1, x2, y2] for JSON, or null for an aligned crop.</summary>
    public float[]? BoxArray => Box is FaceBox b ? [b.X1, b.Y1, b.X2, b.Y2] : null;

    /// <summary>The box in text output, or empty for an aligned crop.</summary>
    public string BoxText => Box is FaceBox b ? $" face {Number} of {FacesFound}, box [{b.X1:F0}, {b.Y1:F0}, {b.X2:F0}, {b.Y2:F0}]" : "";

    public void Dispose() => Crop.Dispose();
}
