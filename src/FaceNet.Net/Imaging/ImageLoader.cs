using FaceNet.Net.Dependencies;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Decodes JPEG, PNG, BMP, GIF, TGA and WebP files into 8-bit RGB images, the form every encoder input takes.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every file is checked for completeness before its pixels are used: the container's lengths, trailers and
/// declared sizes (PNG chunks, CRCs, IEND and the inflated IDAT size; BMP and TGA pixel data; GIF blocks, LZW data and
/// trailer; WebP's RIFF and chunk sizes; JPEG's end-of-image marker). A cut or inconsistent file is refused, never
/// decoded in part.</item>
/// <item>The dimensions are read from the header and checked against <see cref="ImageLoadOptions.MaxPixels"/> and
/// <see cref="ImageLoadOptions.MaxSideLength"/> before any pixel is decoded; PNG metadata is checked against
/// <see cref="ImageLoadOptions.MaxMetadataBytes"/> before it is inflated.</item>
/// <item>Every pixel buffer is freshly allocated (zeroed), never taken from a pool: no pixels of an earlier image can
/// reach a later one.</item>
/// <item>The EXIF orientation is applied (<c>AutoOrient</c>), so a portrait photo stored sideways comes out upright.</item>
/// <item>Grayscale, palette, 16-bit and CMYK images are converted to RGB; 16-bit channels are rounded to 8 bits.</item>
/// <item>Transparency is composited onto black: each channel becomes <c>round(c · alpha / 255)</c>, so fully
/// transparent pixels are black whatever colour they store.</item>
/// <item>Only the first frame of an animated GIF is decoded.</item>
/// <item>Every failure, ImageSharp's own exceptions included, is an <see cref="ImageLoadException"/> naming the file.</item>
/// </list>
/// Thread-safe: the decoder configuration is shared and read-only; each call decodes into its own image.
/// </remarks>
public static class ImageLoader
{
    /// <summary>The formats accepted, as named in messages.</summary>
    public const string SupportedFormats = "JPEG, PNG, BMP, GIF, TGA, WebP";

    /// <summary>The decoders and the non-pooling allocator every load uses (internal for tests).</summary>
    internal static readonly Lazy<SixLabors.ImageSharp.Configuration> DecoderConfiguration = new(CreateConfiguration);

    /// <summary>Reads the image file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Limits; <see cref="ImageLoadOptions.Default"/> when null.</param>
    /// <returns>The upright 8-bit RGB image; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ImageLoadException">The path is missing or a directory, or the file is empty, not an image, corrupt, truncated or too large.</exception>
    /// <exception cref="IncompatibleDependencyException">The app loads an ImageSharp version other than 2.x (docs/getting-started.md#versions-of-imagesharp-and-torchsharp).</exception>
    public static Image<Rgb24> Load(string path, ImageLoadOptions? options = null)
    {
        DependencyVersions.EnsureCompatible();
        using var stream = OpenFile(path, useAsync: false);
        return Decode(stream, path, options ?? ImageLoadOptions.Default);
    }

    /// <summary>Reads an image from <paramref name="stream"/>, starting at its current position.</summary>
    /// <param name="stream">The encoded image. A stream that cannot seek is first copied into memory, up to <see cref="ImageLoadOptions.MaxStreamBytes"/>.</param>
    /// <param name="sourceName">A name for messages (a file name, a URL); "stream" when null.</param>
    /// <param name="options">Limits; <see cref="ImageLoadOptions.Default"/> when null.</param>
    /// <returns>The upright 8-bit RGB image; the caller disposes it. The stream is left open.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ImageLoadException">The stream is empty, not an image, corrupt, truncated or too large.</exception>
    /// <exception cref="IncompatibleDependencyException">The app loads an ImageSharp version other than 2.x (docs/getting-started.md#versions-of-imagesharp-and-torchsharp).</exception>
    public static Image<Rgb24> Load(Stream stream, string? sourceName = null, ImageLoadOptions? options = null)
    {
        DependencyVersions.EnsureCompatible();
        ArgumentNullException.ThrowIfNull(stream);
        var name = sourceName ?? "stream";
        options ??= ImageLoadOptions.Default;
        if (stream.CanSeek) return Decode(stream, name, options);

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > options.MaxStreamBytes)
                throw new ImageLoadException(name, $"Image '{name}' is longer than {options.MaxStreamBytes} bytes (ImageLoadOptions.MaxStreamBytes).");
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return Decode(buffer, name, options);
    }

    /// <summary>
    /// Reads the image file at <paramref name="path"/> asynchronously (the file's bytes, up to
    /// <see cref="ImageLoadOptions.MaxStreamBytes"/>), then decodes it as <see cref="Load(string, ImageLoadOptions?)"/>
    /// does. Only the read is asynchronous: decoding is CPU work on the thread that continues after it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ImageLoadException">As for <see cref="Load(string, ImageLoadOptions?)"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<Image<Rgb24>> LoadAsync(string path, ImageLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var stream = OpenFile(path, useAsync: true);
        await using (stream.ConfigureAwait(false))
            return await LoadAsync(stream, path, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads an image from <paramref name="stream"/> (an HTTP request body, a network stream) asynchronously into
    /// memory, up to <see cref="ImageLoadOptions.MaxStreamBytes"/>, then decodes it as
    /// <see cref="Load(Stream, string?, ImageLoadOptions?)"/> does. Only the read is asynchronous.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ImageLoadException">The stream is empty, longer than the limit, not an image, corrupt, truncated or too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IncompatibleDependencyException">The app loads an ImageSharp version other than 2.x.</exception>
    public static async Task<Image<Rgb24>> LoadAsync(Stream stream, string? sourceName = null, ImageLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        DependencyVersions.EnsureCompatible();
        ArgumentNullException.ThrowIfNull(stream);
        var name = sourceName ?? "stream";
        options ??= ImageLoadOptions.Default;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxStreamBytes)
                throw new ImageLoadException(name, $"Image '{name}' is longer than {options.MaxStreamBytes} bytes (ImageLoadOptions.MaxStreamBytes).");
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return Decode(buffer, name, options);
    }

    /// <summary>Opens the image file at <paramref name="path"/>, or an <see cref="ImageLoadException"/> saying why not (missing, a directory, unreadable, empty).</summary>
    private static FileStream OpenFile(string path, bool useAsync)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new ImageLoadException(path, $"'{path}' is a directory, not an image file.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, useAsync);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageLoadException(path, $"Image file '{path}' does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"Image file '{path}' cannot be opened: {e.Message}", e);
        }
        if (stream.Length == 0)
        {
            stream.Dispose();
            throw new ImageLoadException(path, $"Image file '{path}' is empty (0 bytes).");
        }
        return stream;
    }

    private static Image<Rgb24> Decode(Stream stream, string name, ImageLoadOptions options)
    {
        long start = stream.Position;
        if (stream.Length - start <= 0)
            throw new ImageLoadException(name, $"Image '{name}' is empty (0 bytes).");
        var configuration = DecoderConfiguration.Value;

        // 1. The format, from the first bytes only.
        IImageFormat? format;
        try
        {
            format = Image.DetectFormat(configuration, stream);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ImageLoadException(name, $"Image '{name}' is corrupt or truncated: {e.Message}", e);
        }
        if (format is null)
            throw new ImageLoadException(name, $"'{name}' is not an image in a supported format ({SupportedFormats}).");

        // 2. The container, before ImageSharp reads anything else: complete, consistent, within the budgets.
        stream.Position = start;
        CheckStructure(format, stream, name, options);

        // 3. The dimensions from the header, before any pixel buffer exists.
        stream.Position = start;
        IImageInfo? info;
        try
        {
            info = Image.Identify(configuration, stream);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ImageLoadException(name, $"{FormatName(format)} image '{name}' is corrupt or truncated: {e.Message}", e);
        }
        if (info is null)
            throw new ImageLoadException(name, $"'{name}' is not an image in a supported format ({SupportedFormats}).");
        CheckDimensions(name, info.Width, info.Height, options);

        // 4. The pixels, into fresh buffers (see CreateConfiguration); JPEGs by Pillow's decoder where the system has it.
        if (format is JpegFormat && TurboJpeg.IsAvailable && DecodeWithTurboJpeg(stream, start, info, configuration) is { } turbo) return turbo;
        stream.Position = start;
        Image<Rgba32> decoded;
        try
        {
            decoded = Image.Load<Rgba32>(configuration, stream);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ImageLoadException(name, $"{FormatName(format)} image '{name}' is corrupt or truncated: {e.Message}", e);
        }
        using (decoded)
        {
            decoded.Mutate(x => x.AutoOrient());
            return CompositeOntoBlack(decoded);
        }
    }

    /// <summary>The JPEG decoded by libjpeg-turbo (<see cref="TurboJpeg"/>), upright; null to decode with ImageSharp instead.</summary>
    private static Image<Rgb24>? DecodeWithTurboJpeg(Stream stream, long start, IImageInfo info, SixLabors.ImageSharp.Configuration configuration)
    {
        long length = stream.Length - start;
        if (length > int.MaxValue) return null;
        var bytes = new byte[length];
        stream.Position = start;
        stream.ReadExactly(bytes);
        var image = TurboJpeg.TryDecode(bytes, info.Width, info.Height, configuration);
        if (image is null) return null;
        if (info.Metadata.ExifProfile is { } exif)
        {
            image.Metadata.ExifProfile = exif.DeepClone();
            image.Mutate(x => x.AutoOrient());
        }
        return image;
    }

    /// <summary>Runs the format's container check; its findings become an <see cref="ImageLoadException"/> naming the file.</summary>
    private static void CheckStructure(IImageFormat format, Stream stream, string name, ImageLoadOptions options)
    {
        var reader = new ImageStructureReader(stream);
        try
        {
            switch (format)
            {
                case JpegFormat:
                    if (!JpegStructure.IsComplete(stream))
                        throw new ImageLoadException(name, $"JPEG image '{name}' is corrupt or truncated: it ends before its end-of-image marker.");
                    break;
                case PngFormat:
                    PngStructure.Check(reader, (width, height) => CheckDimensions(name, width, height, options), options.MaxMetadataBytes);
                    break;
                case BmpFormat:
                    BmpStructure.Check(reader);
                    break;
                case GifFormat:
                    GifStructure.Check(reader, (width, height) => CheckDimensions(name, width, height, options));
                    break;
                case TgaFormat:
                    TgaStructure.Check(reader);
                    break;
                case WebpFormat:
                    WebpStructure.Check(reader);
                    break;
                default:
                    throw new ImageLoadException(name, $"'{name}' is not an image in a supported format ({SupportedFormats}).");
            }
        }
        catch (ImageStructureException e) when (e.OverBudget)
        {
            throw new ImageLoadException(name, $"{FormatName(format)} image '{name}' {e.Message}.", e);
        }
        catch (ImageStructureException e)
        {
            throw new ImageLoadException(name, $"{FormatName(format)} image '{name}' is corrupt or truncated: {e.Message}.", e);
        }
        catch (IOException e)
        {
            throw new ImageLoadException(name, $"Image '{name}' cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is not ImageLoadException and not OperationCanceledException)
        {
            // A header value the walk did not foresee: still a bad file, never a raw exception.
            throw new ImageLoadException(name, $"{FormatName(format)} image '{name}' is corrupt or truncated: {e.Message}", e);
        }
    }

    /// <summary>The format's name as <see cref="SupportedFormats"/> spells it (ImageSharp says "Webp").</summary>
    private static string FormatName(IImageFormat format) => format is WebpFormat ? "WebP" : format.Name;

    /// <summary>The one pixel budget (<see cref="ImageLoadOptions.MaxPixels"/>) and the longest side, from header values.</summary>
    private static void CheckDimensions(string name, long width, long height, ImageLoadOptions options)
    {
        if (width <= 0 || height <= 0)
            throw new ImageLoadException(name, $"Image '{name}' declares invalid dimensions {width}x{height}.");
        long pixels = width * height;
        if (pixels > options.MaxPixels)
            throw new ImageLoadException(name,
                $"Image '{name}' is {width}x{height} pixels ({pixels / 1e6:0.#} MP), over the limit of {options.MaxPixels} pixels; raise ImageLoadOptions.MaxPixels to accept it.");
        if (width > ImageLoadOptions.MaxSideLength || height > ImageLoadOptions.MaxSideLength)
            throw new ImageLoadException(name,
                $"Image '{name}' is {width}x{height} pixels: a side longer than {ImageLoadOptions.MaxSideLength} pixels is refused (ImageLoadOptions.MaxSideLength), whatever the pixel budget.");
    }

    /// <summary>Drops alpha by compositing onto black, row by row.</summary>
    private static Image<Rgb24> CompositeOntoBlack(Image<Rgba32> source)
    {
        var result = new Image<Rgb24>(DecoderConfiguration.Value, source.Width, source.Height);
        source.ProcessPixelRows(result, (from, to) =>
        {
            for (int y = 0; y < from.Height; y++)
            {
                var src = from.GetRowSpan(y);
                var dst = to.GetRowSpan(y);
                for (int x = 0; x < src.Length; x++)
                {
                    var p = src[x];
                    if (p.A == 255) dst[x] = new Rgb24(p.R, p.G, p.B);
                    else dst[x] = new Rgb24(Premultiply(p.R, p.A), Premultiply(p.G, p.A), Premultiply(p.B, p.A));
                }
            }
        });
        return result;
    }

    private static byte Premultiply(byte channel, byte alpha) => (byte)((channel * alpha + 127) / 255);

    private static SixLabors.ImageSharp.Configuration CreateConfiguration()
    {
        var configuration = new SixLabors.ImageSharp.Configuration(
            new JpegConfigurationModule(), new PngConfigurationModule(), new BmpConfigurationModule(),
            new GifConfigurationModule(), new TgaConfigurationModule(), new WebpConfigurationModule());
        // Every buffer is a new, zeroed array: ImageSharp's default pool hands out buffers without clearing them, and a
        // decoder that stops early would leave the previous image's pixels in place. Images made from this
        // configuration (the result and everything the encoder derives from it) allocate the same way.
        configuration.MemoryAllocator = new SixLabors.ImageSharp.Memory.SimpleGcMemoryAllocator();
        // One frame is all a face needs; decoding every frame of an animation multiplies memory.
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
