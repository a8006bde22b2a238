using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Detection;

/// <summary>
/// Finds faces in photos and cuts aligned square crops for the FaceNet encoder. Implementations state their
/// thread-safety; <see cref="MtcnnFaceDetector"/> is safe to share between threads.
/// </summary>
public interface IFaceDetector
{
    /// <summary>The settings in use.</summary>
    FaceDetectorOptions Options { get; }

    /// <summary>Finds the faces in <paramref name="image"/> (chosen by <see cref="FaceDetectorOptions.FacePolicy"/>).</summary>
    /// <param name="image">The photo, RGB.</param>
    /// <returns>The faces, most probable first; empty when the photo holds none.</returns>
    /// <exception cref="FaceDetectionException">The policy is <see cref="FacePolicy.Error"/> and the photo does not hold exactly one face.</exception>
    IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image);

    /// <summary>Finds the faces in several photos at once (photos of equal size run as one batch), each chosen by <see cref="FaceDetectorOptions.FacePolicy"/>.</summary>
    /// <param name="images">The photos.</param>
    /// <returns>One list per photo, in the same order.</returns>
    /// <exception cref="FaceDetectionException">The policy is <see cref="FacePolicy.Error"/> and a photo does not hold exactly one face.</exception>
    IReadOnlyList<IReadOnlyList<DetectedFace>> Detect(IReadOnlyList<Image<Rgb24>> images);

    /// <summary>Decodes the photo at <paramref name="path"/> (EXIF orientation applied) and finds its faces.</summary>
    /// <param name="path">An image file.</param>
    /// <returns>The faces, most probable first; empty when the photo holds none.</returns>
    /// <exception cref="ImageLoadException">The file is missing, corrupt, not an image, or too large (<see cref="FaceDetectorOptions.ImageLoading"/>).</exception>
    /// <exception cref="FaceDetectionException">The policy is <see cref="FacePolicy.Error"/> and the photo does not hold exactly one face.</exception>
    IReadOnlyList<DetectedFace> Detect(string path);

    /// <summary>
    /// Finds faces and returns square crops of <see cref="FaceDetectorOptions.CropSize"/> pixels (160 by default)
    /// that the FaceNet encoder takes as they are; <paramref name="policy"/> decides what no face or several faces give.
    /// </summary>
    /// <param name="image">The photo, RGB.</param>
    /// <param name="policy">What to do when the photo does not hold exactly one face.</param>
    /// <returns>The aligned faces (the caller disposes them).</returns>
    /// <exception cref="FaceDetectionException"><paramref name="policy"/> is <see cref="FacePolicy.Error"/> and the photo does not hold exactly one face.</exception>
    IReadOnlyList<AlignedFace> DetectAndAlign(Image<Rgb24> image, FacePolicy policy);

    /// <summary>
    /// Cuts the aligned square crop of one detection (box plus <see cref="FaceDetectorOptions.Margin"/>, clamped to the
    /// photo, resized to <see cref="FaceDetectorOptions.CropSize"/>).
    /// </summary>
    /// <param name="image">The photo the face was found in.</param>
    /// <param name="face">A detection from <paramref name="image"/>.</param>
    /// <returns>The crop (the caller disposes it).</returns>
    Image<Rgb24> Align(Image<Rgb24> image, DetectedFace face);

    /// <summary>Decodes the photo at <paramref name="path"/> and does <see cref="DetectAndAlign(Image{Rgb24}, FacePolicy)"/>.</summary>
    /// <param name="path">An image file.</param>
    /// <param name="policy">What to do when the photo does not hold exactly one face.</param>
    /// <returns>The aligned faces (the caller disposes them).</returns>
    /// <exception cref="ImageLoadException">The file is missing, corrupt, not an image, or too large.</exception>
    /// <exception cref="FaceDetectionException"><paramref name="policy"/> is <see cref="FacePolicy.Error"/> and the photo does not hold exactly one face.</exception>
    IReadOnlyList<AlignedFace> DetectAndAlign(string path, FacePolicy policy);
}
