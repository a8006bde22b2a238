using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks a PNG before ImageSharp decodes it: every chunk's length fits the file and its CRC matches, IHDR comes
/// first and its dimensions pass the pixel budget, IEND is reached, the IDAT stream inflates to at least the bytes
/// the header needs (ImageSharp leaves the missing rows blank when it is short), and compressed metadata
/// (zTXt, compressed iTXt, iCCP) together with plain text and EXIF stays within the metadata budget: a 1 MB file
/// carrying 1 GiB of zeros in a zTXt chunk is refused after inflating at most the budget, with a fixed-size scratch
/// buffer. Thread-safe (stateless).
/// </summary>
internal static class PngStructure
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Throws <see cref="ImageStructureException"/> unless the PNG at the reader's start is complete and within budget.</summary>
    /// <param name="reader">The file.</param>
    /// <param name="checkDimensions">The pixel budget, called with IHDR's width and height before any data is inflated.</param>
    /// <param name="maxMetadataBytes">The most bytes of text, EXIF and ICC metadata (after inflating) accepted.</param>
    public static void Check(ImageStructureReader reader, Action<long, long> checkDimensions, long maxMetadataBytes)
    {
        Span<byte> header = stackalloc byte[8];
        if (!reader.TryRead(header) || !header.SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }))
            throw new ImageStructureException("it does not start with the PNG signature");

        var idat = new List<(long, long)>();
        long expectedImageBytes = -1, metadata = 0;
        bool first = true;
        var buffer = new byte[64 * 1024];
        Span<byte> stored = stackalloc byte[4];
        Span<byte> ihdr = stackalloc byte[13];
        while (true)
        {
            if (!reader.TryRead(header))
                throw new ImageStructureException("it ends before its IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
            string type = Encoding.ASCII.GetString(header[4..8]);
            if (length > int.MaxValue)
                throw new ImageStructureException($"its {Printable(type)} chunk declares {length} bytes, more than PNG allows");
            if (reader.Remaining < (long)length + 4)
                throw new ImageStructureException($"it ends inside its {Printable(type)} chunk ({length} bytes declared, {Math.Max(0, reader.Remaining - 4)} present)");
            long dataOffset = reader.Position;

            uint crc = Update(0xFFFFFFFF, header[4..8]);
            for (long left = length; left > 0;)
            {
                int n = (int)Math.Min(left, buffer.Length);
                reader.TryRead(buffer.AsSpan(0, n));
                crc = Update(crc, buffer.AsSpan(0, n));
                left -= n;
            }
            reader.TryRead(stored);
            if (~crc != BinaryPrimitives.ReadUInt32BigEndian(stored))
                throw new ImageStructureException($"the CRC of its {Printable(type)} chunk does not match its content");

            if (first)
            {
                if (type != "IHDR" || length != 13) throw new ImageStructureException("its first chunk is not a 13-byte IHDR");
                reader.TryReadAt(dataOffset, ihdr);
                reader.Position = dataOffset + length + 4;
                long width = BinaryPrimitives.ReadUInt32BigEndian(ihdr), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
                if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                    throw new ImageStructureException($"its header declares invalid dimensions {width}x{height}");
                checkDimensions(width, height);
                expectedImageBytes = ImageDataBytes(width, height, ihdr[8], ihdr[9], ihdr[12]);
                first = false;
                continue;
            }

            switch (type)
            {
                case "IDAT":
                    idat.Add((dataOffset, length));
                    break;
                case "tEXt" or "eXIf":
                    metadata = AddMetadata(metadata, length, type, maxMetadataBytes);
                    break;
                case "zTXt" or "iCCP":
                    metadata = InflateMetadata(reader, dataOffset, length, type, flagged: false, metadata, maxMetadataBytes, buffer);
                    break;
                case "iTXt":
                    metadata = InflateMetadata(reader, dataOffset, length, type, flagged: true, metadata, maxMetadataBytes, buffer);
                    break;
                case "IEND":
                    CheckImageData(reader, idat, expectedImageBytes, buffer);
                    return;
            }
        }
    }

    /// <summary>Bytes of filtered scanlines a non-interlaced or Adam7-interlaced image needs.</summary>
    private static long ImageDataBytes(long width, long height, byte bitDepth, byte colourType, byte interlace)
    {
        int channels = colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ImageStructureException($"its header declares colour type {colourType}, which PNG does not define") };
        if (bitDepth is not (1 or 2 or 4 or 8 or 16)) throw new ImageStructureException($"its header declares bit depth {bitDepth}, which PNG does not define");
        long bits = (long)channels * bitDepth;
        long Rows(long w, long h) => w == 0 || h == 0 ? 0 : h * (1 + (w * bits + 7) / 8);
        if (interlace == 0) return Rows(width, height);
        long total = 0;
        foreach (var (x0, y0, dx, dy) in new (int, int, int, int)[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
            total += Rows((width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy);
        return total;
    }

    /// <summary>Inflates the concatenated IDAT data up to the size the header needs; throws when it is shorter or not valid zlib.</summary>
    private static void CheckImageData(ImageStructureReader reader, List<(long, long)> idat, long expected, byte[] buffer)
    {
        if (idat.Count == 0) throw new ImageStructureException("it has no IDAT chunk (no pixel data)");
        long inflated = 0;
        try
        {
            using var zlib = new ZLibStream(reader.Concatenation(idat), CompressionMode.Decompress);
            int n;
            while (inflated < expected && (n = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - inflated))) > 0)
                inflated += n;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ImageStructureException($"its pixel data (IDAT) is not a valid zlib stream after {inflated} of {expected} bytes");
        }
        if (inflated < expected)
            throw new ImageStructureException($"its pixel data (IDAT) ends after {inflated} of the {expected} bytes its header needs");
    }

    private static long AddMetadata(long total, long bytes, string type, long max)
    {
        total += bytes;
        if (total > max)
            throw new ImageStructureException(
                $"carries more than {max} bytes of metadata (its {type} chunks): refused as a metadata bomb; raise ImageLoadOptions.MaxMetadataBytes to accept it", overBudget: true);
        return total;
    }

    /// <summary>
    /// Counts the inflated size of a zTXt/iCCP (keyword, NUL, method, data) or a compressed iTXt (keyword, NUL, flag,
    /// method, language, NUL, translated keyword, NUL, data) chunk, stopping as soon as the budget is passed.
    /// </summary>
    private static long InflateMetadata(ImageStructureReader reader, long offset, long length, string type, bool flagged,
        long total, long max, byte[] buffer)
    {
        // The fields before the compressed data are short (keywords of at most 79 bytes, language tags); read at most 1 KiB of them.
        var head = new byte[(int)Math.Min(length, 1024)];
        reader.TryReadAt(offset, head);
        reader.Position = offset + length + 4;
        int at = Array.IndexOf(head, (byte)0);
        if (at < 0) return AddMetadata(total, length, type, max);
        int dataStart;
        if (flagged)
        {
            if (at + 2 >= head.Length || head[at + 1] == 0) return AddMetadata(total, length, type, max);   // uncompressed iTXt
            int language = Array.IndexOf(head, (byte)0, at + 3);
            int translated = language < 0 ? -1 : Array.IndexOf(head, (byte)0, language + 1);
            if (translated < 0) throw new ImageStructureException($"its {type} chunk is malformed");
            dataStart = translated + 1;
        }
        else dataStart = at + 2;   // the keyword's NUL, then the compression method
        if (dataStart > length) throw new ImageStructureException($"its {type} chunk is malformed");

        total = AddMetadata(total, 0, type, max);
        try
        {
            using var zlib = new ZLibStream(reader.Slice(offset + dataStart, length - dataStart), CompressionMode.Decompress);
            int n;
            while ((n = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, max - total + 1))) > 0)
                total = AddMetadata(total, n, type, max);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ImageStructureException($"its {type} chunk is not valid zlib data");
        }
        finally
        {
            reader.Position = offset + length + 4;
        }
        return total;
    }

    private static string Printable(string type) => type.All(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z') ? type : "unnamed";

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
