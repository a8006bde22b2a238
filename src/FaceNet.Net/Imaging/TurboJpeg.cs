using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Decodes JPEG files with libjpeg-turbo's TurboJPEG library when the system has it (<c>libturbojpeg.so.0</c>; Debian
/// and Ubuntu: <c>apt-get install libturbojpeg0</c>), with its defaults (accurate integer DCT, smooth chroma
/// upsampling). That is the decoder Pillow uses, so photos decode to the very pixels facenet-pytorch sees and the
/// photo → face → embedding path matches facenet-pytorch's to float rounding (docs/detection.md); ImageSharp's JPEG
/// decoder differs from it by a level or two on a few percent of pixels, which can move a detected box by a fraction of
/// a pixel. Where the library is missing, or for colour spaces it would convert differently from Pillow (CMYK, YCCK),
/// the caller decodes with ImageSharp. Thread-safe: every call uses its own TurboJPEG handle.
/// </summary>
internal static partial class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgb = 0;      // TJPF_RGB
    private const int ColorspaceCmyk = 3;      // TJCS_CMYK
    private const int ColorspaceYcck = 4;      // TJCS_YCCK

    private static readonly Lazy<bool> Loaded = new(() => OperatingSystem.IsLinux() && NativeLibrary.TryLoad(Library, out _));

    /// <summary>True when libjpeg-turbo's TurboJPEG library is on this system.</summary>
    public static bool IsAvailable => Loaded.Value;

    /// <summary>
    /// The image <paramref name="jpeg"/> holds, as 8-bit RGB in <paramref name="configuration"/>'s memory, or null when
    /// TurboJPEG is not available, the colour space is CMYK or YCCK, the size differs from
    /// <paramref name="expectedWidth"/> x <paramref name="expectedHeight"/>, or TurboJPEG reports an error (the caller
    /// then decodes with ImageSharp, which reports a corrupt file itself).
    /// </summary>
    public static unsafe Image<Rgb24>? TryDecode(ReadOnlySpan<byte> jpeg, int expectedWidth, int expectedHeight, SixLabors.ImageSharp.Configuration configuration)
    {
        if (!IsAvailable || jpeg.IsEmpty) return null;
        IntPtr handle = InitDecompress();
        if (handle == IntPtr.Zero) return null;
        try
        {
            fixed (byte* source = jpeg)
            {
                if (DecompressHeader(handle, source, (nuint)jpeg.Length, out int width, out int height, out _, out int colorspace) != 0) return null;
                if (colorspace is ColorspaceCmyk or ColorspaceYcck || width != expectedWidth || height != expectedHeight) return null;
                var pixels = new byte[checked((long)width * height * 3)];
                fixed (byte* destination = pixels)
                {
                    if (Decompress(handle, source, (nuint)jpeg.Length, destination, width, width * 3, height, PixelFormatRgb, 0) != 0) return null;
                }
                return Image.LoadPixelData<Rgb24>(configuration, pixels, width, height);
            }
        }
        finally
        {
            _ = Destroy(handle);
        }
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial IntPtr InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader(IntPtr handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress(IntPtr handle, byte* jpeg, nuint size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(IntPtr handle);
}
