namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks that a JPEG stream is complete: walks its marker segments from SOI, skips each segment by its length
/// and each scan's entropy-coded data, and succeeds only on reaching the EOI marker. ImageSharp decodes a
/// truncated JPEG without complaint (the missing part comes out grey), which would give a silently wrong
/// embedding; this walk catches it. Bytes after EOI are ignored (some cameras append data). Thread-safe (stateless).
/// </summary>
internal static class JpegStructure
{
    /// <summary>True when the JPEG at the stream's position reaches its EOI marker; the position is left at the end of the walk.</summary>
    public static bool IsComplete(Stream stream)
    {
        if (stream.ReadByte() != 0xFF || stream.ReadByte() != 0xD8) return false;
        int marker = NextMarker(stream);
        while (marker >= 0)
        {
            if (marker == 0xD9) return true;                                         // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) { marker = NextMarker(stream); continue; }  // no length
            int high = stream.ReadByte(), low = stream.ReadByte();
            if (low < 0) return false;
            int length = (high << 8) | low;
            if (length < 2 || !Skip(stream, length - 2)) return false;
            marker = marker == 0xDA ? AfterEntropyCodedData(stream) : NextMarker(stream);
        }
        return false;
    }

    /// <summary>Reads 0xFF (and any fill 0xFF bytes) and returns the marker code, or -1 at the end or on garbage.</summary>
    private static int NextMarker(Stream stream)
    {
        if (stream.ReadByte() != 0xFF) return -1;
        int b;
        while ((b = stream.ReadByte()) == 0xFF) { }
        return b is < 0 or 0x00 ? -1 : b;
    }

    /// <summary>Skips a scan's data (0xFF 0x00 is a data byte, 0xFF 0xD0..D7 a restart) and returns the marker after it, or -1 at the end.</summary>
    private static int AfterEntropyCodedData(Stream stream)
    {
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b != 0xFF) continue;
            int next;
            while ((next = stream.ReadByte()) == 0xFF) { }
            if (next < 0) return -1;
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7) continue;
            return next;
        }
        return -1;
    }

    private static bool Skip(Stream stream, int count)
    {
        if (stream.CanSeek)
        {
            if (stream.Position + count > stream.Length) return false;
            stream.Seek(count, SeekOrigin.Current);
            return true;
        }
        for (int i = 0; i < count; i++) if (stream.ReadByte() < 0) return false;
        return true;
    }
}
