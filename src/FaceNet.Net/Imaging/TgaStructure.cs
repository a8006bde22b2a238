using static FaceNet.Net.Imaging.ImageStructureReader;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks a TGA before ImageSharp decodes it: the header, image id and colour map are present, and the pixel data
/// holds width x height pixels: uncompressed, that many pixel values; run-length encoded, packets that add up to
/// that many pixels. ImageSharp decodes a cut TGA without complaint. Thread-safe (stateless).
/// </summary>
internal static class TgaStructure
{
    /// <summary>Throws <see cref="ImageStructureException"/> unless the TGA at the reader's start is complete.</summary>
    public static void Check(ImageStructureReader reader)
    {
        Span<byte> header = stackalloc byte[18];
        if (!reader.TryReadAt(0, header)) throw new ImageStructureException("it ends inside its 18-byte header");
        int idLength = header[0], colourMapType = header[1], imageType = header[2];
        int colourMapLength = U16(header, 5), colourMapEntryBits = header[7];
        long width = U16(header, 12), height = U16(header, 14);
        int bytesPerPixel = (header[16] + 7) / 8;
        if (width == 0 || height == 0 || bytesPerPixel == 0) throw new ImageStructureException($"its header declares invalid dimensions {width}x{height} at {header[16]} bits per pixel");
        long start = 18L + idLength + (colourMapType == 1 ? colourMapLength * ((colourMapEntryBits + 7) / 8) : 0);
        long pixels = width * height;
        switch (imageType)
        {
            case 1 or 2 or 3:
                if (start + pixels * bytesPerPixel > reader.Length)
                    throw new ImageStructureException($"its pixel data needs {pixels * bytesPerPixel} bytes from offset {start}, but the file has {Math.Max(0, reader.Length - start)}");
                return;
            case 9 or 10 or 11:
                if (start > reader.Length) throw new ImageStructureException("its pixel data starts after the end of the file");
                reader.Position = start;
                for (long decoded = 0; decoded < pixels;)
                {
                    int packet = reader.ReadByte();
                    if (packet < 0) throw new ImageStructureException($"its run-length data ends after {decoded} of {pixels} pixels");
                    int count = (packet & 0x7F) + 1;
                    if (!reader.TrySkip((packet & 0x80) != 0 ? bytesPerPixel : (long)count * bytesPerPixel))
                        throw new ImageStructureException($"its run-length data ends after {decoded} of {pixels} pixels");
                    decoded += count;
                }
                return;
            default:
                throw new ImageStructureException($"its image type {imageType} is not accepted (only colour-mapped, true-colour and grey TGAs, raw or run-length encoded, are)");
        }
    }
}
