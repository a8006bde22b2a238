using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Detection;

/// <summary>
/// Decodes a photo file for detection: checks the size from the header before decoding (crafted images
/// have caused security flaws, so the pixel count is bounded), decodes to RGB, applies the EXIF orientation.
/// Every failure is a <see cref="PhotoLoadException"/> naming the file. Thread-safe (no shared state).
/// </summary>
/// <remarks>A stand-in for the shared <c>Imaging</c> loader; detection code only calls <see cref="Load"/>.</remarks>
internal static class PhotoLoader
{
    public static Image<Rgb24> Load(string path, long maxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new PhotoLoadException($"Photo '{path}' does not exist.") { PhotoPath = path };
        try
        {
            var info = Image.Identify(path)
                ?? throw new PhotoLoadException($"Photo '{path}' is not an image in a supported format (JPEG, PNG, BMP, GIF, TIFF, WebP, TGA, PBM).") { PhotoPath = path };
            long pixels = (long)info.Width * info.Height;
            if (info.Width < 1 || info.Height < 1)
                throw new PhotoLoadException($"Photo '{path}' has no pixels ({info.Width}x{info.Height}).") { PhotoPath = path };
            if (pixels > maxPixels)
                throw new PhotoLoadException($"Photo '{path}' is {info.Width}x{info.Height} ({pixels} pixels), above the limit of {maxPixels}; downscale it first.") { PhotoPath = path };
            var image = Image.Load<Rgb24>(path);
            try
            {
                image.Mutate(x => x.AutoOrient());
                return image;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            throw new PhotoLoadException($"Photo '{path}' cannot be decoded: {e.Message}", e) { PhotoPath = path };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PhotoLoadException($"Photo '{path}' cannot be read: {e.Message}", e) { PhotoPath = path };
        }
    }
}
