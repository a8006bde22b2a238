using static FaceNet.Net.Imaging.ImageStructureReader;

namespace FaceNet.Net.Imaging;

/// <summary>
/// Checks a WebP before ImageSharp decodes it: the RIFF container's declared size fits the file, every chunk fits the
/// container, a VP8 (lossy) or VP8L (lossless) image chunk is present, and a VP8 frame's first partition fits its
/// chunk. ImageSharp decodes some cut WebPs without complaint, leaving whatever its buffers held. Thread-safe (stateless).
/// </summary>
internal static class WebpStructure
{
    /// <summary>Throws <see cref="ImageStructureException"/> unless the WebP at the reader's start is complete.</summary>
    public static void Check(ImageStructureReader reader)
    {
        Span<byte> header = stackalloc byte[12];
        if (!reader.TryReadAt(0, header)) throw new ImageStructureException("it ends inside its RIFF header");
        long end = 8L + U32(header, 4);
        if (end > reader.Length) throw new ImageStructureException($"its RIFF container declares {end} bytes, but the file has {reader.Length}");
        bool image = false;
        Span<byte> frame = stackalloc byte[3];
        for (long at = 12; at < end;)
        {
            if (at + 8 > end || !reader.TryReadAt(at, header[..8])) throw new ImageStructureException("it ends inside a chunk header");
            string type = System.Text.Encoding.ASCII.GetString(header[..4]);
            long size = U32(header, 4);
            if (at + 8 + size > end) throw new ImageStructureException($"its {type.Trim()} chunk declares {size} bytes, more than the container holds");
            if (type == "VP8 ")
            {
                if (size < 10 || !reader.TryReadAt(at + 8, frame)) throw new ImageStructureException("its VP8 chunk is too short for a frame header");
                long firstPartition = (frame[0] | frame[1] << 8 | frame[2] << 16) >> 5;
                if (10 + firstPartition > size) throw new ImageStructureException($"its VP8 frame's first partition ({firstPartition} bytes) does not fit its chunk");
                image = true;
            }
            else if (type == "VP8L") image = true;
            at += 8 + size + (size & 1);
        }
        if (!image) throw new ImageStructureException("it holds no VP8 or VP8L image chunk");
    }
}
