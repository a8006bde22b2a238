namespace FaceNet.Net.Imaging;

/// <summary>
/// Limits applied when decoding images. Immutable, so one instance may be shared by any number of threads.
/// </summary>
public sealed class ImageLoadOptions
{
    /// <summary>The default pixel limit: 40 megapixels (a 7300x5500 photo), about 160 MB decoded.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The default limit on bytes read from a stream that cannot seek: 256 MiB.</summary>
    public const long DefaultMaxStreamBytes = 256L * 1024 * 1024;

    /// <summary>The default budget for metadata: 4 MiB of text, EXIF and ICC profile (after inflating) per image.</summary>
    public const long DefaultMaxMetadataBytes = 4L * 1024 * 1024;

    /// <summary>
    /// The longest side accepted, whatever <see cref="MaxPixels"/> allows: 65,535 pixels, the most JPEG, GIF and TGA
    /// can express. A strip such as 2 x 20,000,000 pixels is within the pixel budget but no photo; it is refused from
    /// the header, before any allocation.
    /// </summary>
    public const int MaxSideLength = 65_535;

    /// <summary>The options used when none are given.</summary>
    public static ImageLoadOptions Default { get; } = new();

    /// <summary>
    /// Largest width x height accepted. Checked from the file header before any pixel is decoded, so a
    /// small file that claims enormous dimensions is refused without allocating. Default <see cref="DefaultMaxPixels"/>.
    /// </summary>
    public long MaxPixels
    {
        get => _maxPixels;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxPixels = value;
        }
    }

    /// <summary>
    /// Largest number of bytes copied from a stream that cannot seek (it is buffered so that the header can be
    /// checked first), and the most <see cref="ImageLoader.LoadAsync(Stream, string?, ImageLoadOptions?, CancellationToken)"/> and
    /// <see cref="ImageLoader.LoadAsync(string, ImageLoadOptions?, CancellationToken)"/> read into memory. Seekable streams and files are not
    /// copied by <c>Load</c>. Default <see cref="DefaultMaxStreamBytes"/>.
    /// </summary>
    public long MaxStreamBytes
    {
        get => _maxStreamBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxStreamBytes = value;
        }
    }

    /// <summary>
    /// Largest amount of metadata accepted per image, in bytes after decompression: PNG text (tEXt, zTXt, iTXt), EXIF
    /// and ICC profile chunks together. A compressed chunk is inflated only up to this budget, so a small file that
    /// inflates to gigabytes (a decompression bomb) is refused quickly and without allocating. Default
    /// <see cref="DefaultMaxMetadataBytes"/>.
    /// </summary>
    public long MaxMetadataBytes
    {
        get => _maxMetadataBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxMetadataBytes = value;
        }
    }

    private readonly long _maxMetadataBytes = DefaultMaxMetadataBytes;
    private readonly long _maxPixels = DefaultMaxPixels;
    private readonly long _maxStreamBytes = DefaultMaxStreamBytes;
}
