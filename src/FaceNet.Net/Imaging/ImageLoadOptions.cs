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
    /// checked first). Seekable streams and files are not copied. Default <see cref="DefaultMaxStreamBytes"/>.
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

    private readonly long _maxPixels = DefaultMaxPixels;
    private readonly long _maxStreamBytes = DefaultMaxStreamBytes;
}
