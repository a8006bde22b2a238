using static FaceNet.Net.Imaging.ImageStructureReader;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks a GIF before ImageSharp decodes it: the colour tables and every block are present, each image's LZW data
/// decodes (counting only, nothing is stored) to at least its width x height pixels, and the trailer byte (0x3B) is
/// reached. ImageSharp decodes a cut GIF without complaint, leaving the missing pixels as they were. Thread-safe (stateless).
/// </summary>
internal static class GifStructure
{
    /// <summary>Throws <see cref="ImageStructureException"/> unless the GIF at the reader's start is complete.</summary>
    /// <param name="reader">The file.</param>
    /// <param name="checkDimensions">The pixel budget, called with each image's own width and height (ImageSharp
    /// allocates an index buffer of that size, which may exceed the logical screen the header declares).</param>
    public static void Check(ImageStructureReader reader, Action<long, long> checkDimensions)
    {
        Span<byte> header = stackalloc byte[13];
        if (!reader.TryReadAt(0, header)) throw new ImageStructureException("it ends inside its header");
        if ((header[10] & 0x80) != 0 && !reader.TrySkip(3L << ((header[10] & 7) + 1)))
            throw new ImageStructureException("it ends inside its colour table");
        Span<byte> descriptor = stackalloc byte[9];
        while (true)
        {
            switch (reader.ReadByte())
            {
                case 0x3B:
                    return;
                case 0x21:
                    if (reader.ReadByte() < 0) throw Truncated();
                    SkipSubBlocks(reader);
                    break;
                case 0x2C:
                    if (!reader.TryRead(descriptor)) throw Truncated();
                    checkDimensions(Math.Max(1, (int)U16(descriptor, 4)), Math.Max(1, (int)U16(descriptor, 6)));
                    long pixels = (long)U16(descriptor, 4) * U16(descriptor, 6);
                    if ((descriptor[8] & 0x80) != 0 && !reader.TrySkip(3L << ((descriptor[8] & 7) + 1))) throw Truncated();
                    int minimumCodeSize = reader.ReadByte();
                    if (minimumCodeSize < 0) throw Truncated();
                    if (minimumCodeSize is < 1 or > 11) throw new ImageStructureException($"an image declares LZW code size {minimumCodeSize}, which GIF does not allow");
                    var data = new SubBlockReader(reader);
                    CountLzwPixels(data, minimumCodeSize, pixels);
                    if (!reader.TrySkip(data.LeftInBlock)) throw Truncated();
                    SkipSubBlocks(reader);
                    break;
                case -1:
                    throw Truncated();
                case var other:
                    throw new ImageStructureException($"it holds an unknown block 0x{other:X2} at offset {reader.Position - 1}");
            }
        }
    }

    private static ImageStructureException Truncated() => new("it ends before its trailer (0x3B)");

    /// <summary>Skips data sub-blocks up to and including the zero-length terminator.</summary>
    private static void SkipSubBlocks(ImageStructureReader reader)
    {
        int size;
        while ((size = reader.ReadByte()) > 0)
            if (!reader.TrySkip(size)) throw Truncated();
        if (size < 0) throw Truncated();
    }

    /// <summary>
    /// Runs the LZW decoder over an image's data, tracking only each code's string length, until the image's pixels
    /// are all accounted for; throws when the data or the codes run out first. Leaves the reader inside the sub-blocks
    /// (the caller skips the rest).
    /// </summary>
    private static void CountLzwPixels(SubBlockReader data, int minimumCodeSize, long pixels)
    {
        int clear = 1 << minimumCodeSize, endOfInformation = clear + 1;
        var lengths = new int[4096];
        int codeSize = minimumCodeSize + 1, next = clear + 2, previous = -1;
        long decoded = 0;
        int bits = 0, bitCount = 0;
        while (decoded < pixels)
        {
            while (bitCount < codeSize)
            {
                int b = data.ReadByte();
                if (b < 0) throw new ImageStructureException($"an image's LZW data ends after {decoded} of {pixels} pixels");
                bits |= b << bitCount;
                bitCount += 8;
            }
            int code = bits & ((1 << codeSize) - 1);
            bits >>= codeSize;
            bitCount -= codeSize;

            if (code == clear) { codeSize = minimumCodeSize + 1; next = clear + 2; previous = -1; continue; }
            if (code == endOfInformation) throw new ImageStructureException($"an image's LZW data ends after {decoded} of {pixels} pixels");
            int length;
            if (previous < 0)
            {
                if (code > clear) throw new ImageStructureException("an image's LZW data is corrupt");
                length = 1;
            }
            else
            {
                int previousLength = previous < clear ? 1 : lengths[previous];
                if (code < next) length = code < clear ? 1 : lengths[code];
                else if (code == next) length = previousLength + 1;
                else throw new ImageStructureException("an image's LZW data is corrupt");
                if (next < 4096) lengths[next++] = previousLength + 1;
                if (next == 1 << codeSize && codeSize < 12) codeSize++;
            }
            decoded += length;
            previous = code;
        }
    }

    /// <summary>Reads the bytes of a sub-block chain in order; -1 at its terminator or the end of the file (the terminator is not consumed).</summary>
    private sealed class SubBlockReader(ImageStructureReader reader)
    {
        private int _left;

        /// <summary>The bytes of the current sub-block not read yet.</summary>
        public int LeftInBlock => _left;

        public int ReadByte()
        {
            if (_left == 0)
            {
                long at = reader.Position;
                int size = reader.ReadByte();
                if (size <= 0) { if (size == 0) reader.Position = at; return -1; }
                _left = size;
            }
            _left--;
            return reader.ReadByte();
        }
    }
}
