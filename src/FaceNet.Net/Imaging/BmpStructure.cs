using static FaceNet.Net.Imaging.ImageStructureReader;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks a BMP before ImageSharp decodes it: the headers are present, and the pixel data the header declares
/// (rows of width x bits-per-pixel padded to 4 bytes, times the height) lies inside the file, or, for RLE4/RLE8, the
/// run-length data reaches its end-of-bitmap marker. ImageSharp decodes a cut BMP without complaint, leaving the
/// missing rows blank. Compressions other than none, bit fields, RLE4 and RLE8 are refused. Thread-safe (stateless).
/// </summary>
internal static class BmpStructure
{
    /// <summary>Throws <see cref="ImageStructureException"/> unless the BMP at the reader's start is complete.</summary>
    public static void Check(ImageStructureReader reader)
    {
        Span<byte> header = stackalloc byte[54];
        if (!reader.TryReadAt(0, header[..18])) throw new ImageStructureException("it ends inside its file header");
        long dataOffset = U32(header, 10);
        uint dibSize = U32(header, 14);
        if (dibSize < 12 || dibSize > 1024) throw new ImageStructureException($"its information header declares {dibSize} bytes, which no BMP version uses");
        if (!reader.TryReadAt(0, header[..(int)Math.Min(54, 14 + dibSize)])) throw new ImageStructureException("it ends inside its information header");

        long width, height;
        int bitsPerPixel;
        uint compression;
        if (dibSize == 12)
        {
            (width, height, bitsPerPixel, compression) = (U16(header, 18), U16(header, 20), U16(header, 24), 0);
        }
        else
        {
            (width, height, bitsPerPixel) = (I32(header, 18), Math.Abs((long)I32(header, 22)), U16(header, 28));
            compression = dibSize >= 20 ? U32(header, 30) : 0;
            // OS/2 2.x headers (16 or 64 bytes) number their compressions differently: accept only uncompressed ones.
            if (dibSize is 16 or 64 && compression != 0) throw new ImageStructureException($"it uses OS/2 BMP compression {compression}, which is not accepted");
        }
        if (width <= 0 || height <= 0) throw new ImageStructureException($"its header declares invalid dimensions {width}x{height}");
        long pixelsStart = Math.Max(dataOffset, 14 + dibSize);

        switch (compression)
        {
            case 0 or 3 or 6:   // none, bit fields, alpha bit fields
                if (bitsPerPixel is not (1 or 2 or 4 or 8 or 16 or 24 or 32))
                    throw new ImageStructureException($"its header declares {bitsPerPixel} bits per pixel, which BMP does not define");
                long need = (bitsPerPixel * width + 31) / 32 * 4 * height;
                if (pixelsStart + need > reader.Length)
                    throw new ImageStructureException($"its pixel data needs {need} bytes from offset {pixelsStart}, but the file has {Math.Max(0, reader.Length - pixelsStart)}");
                return;
            case 1 or 2:        // RLE8, RLE4
                WalkRunLengths(reader, pixelsStart, rle4: compression == 2);
                return;
            default:
                throw new ImageStructureException($"it uses BMP compression {compression}, which is not accepted (only uncompressed, bit-field, RLE4 and RLE8 BMPs are)");
        }
    }

    /// <summary>Follows the RLE escapes until the end-of-bitmap marker (0, 1); throws when the file ends first.</summary>
    private static void WalkRunLengths(ImageStructureReader reader, long start, bool rle4)
    {
        if (start > reader.Length) throw new ImageStructureException("its pixel data starts after the end of the file");
        reader.Position = start;
        while (true)
        {
            int count = reader.ReadByte(), value = reader.ReadByte();
            if (value < 0) throw new ImageStructureException("its run-length data ends before the end-of-bitmap marker");
            if (count > 0) continue;                     // a run of count pixels
            switch (value)
            {
                case 0: continue;                          // end of line
                case 1: return;                            // end of bitmap
                case 2:                                    // delta: two offset bytes
                    if (!reader.TrySkip(2)) throw new ImageStructureException("its run-length data ends before the end-of-bitmap marker");
                    continue;
                default:                                   // absolute mode: value pixels, padded to 2 bytes
                    int bytes = rle4 ? (value + 1) / 2 : value;
                    if (!reader.TrySkip(bytes + (bytes & 1))) throw new ImageStructureException("its run-length data ends before the end-of-bitmap marker");
                    continue;
            }
        }
    }
}
