using System.Buffers.Binary;
using System.Text;

namespace FaceNet.Net.Recognition.Storage;

/// <summary>
/// The gallery file format, version 1 (all integers little-endian):
/// <code>
/// magic            8 bytes  "FNGALLRY"
/// format version   u16      1
/// reserved         u16      0
/// embedding size   i32      1..65536
/// fingerprint      u16 length (1..1024) + UTF-8 bytes
/// identity count   i32
/// embedding count  i64      (sum over identities, checked)
/// per identity     u16 name length (1..1024) + UTF-8 name, i32 count (≥ 1), count x size float32 (unit vectors)
/// checksum         32 bytes SHA-256 of every byte before it
/// </code>
/// Every length read is checked against the bytes the file still has before anything is allocated. Writes go to a
/// temporary file in the same folder (named as <see cref="IO.AtomicFile"/> names them; stale ones of the target are removed first), flushed to disk, then renamed over the target. Thread-safe (stateless).
/// </summary>
internal static class GalleryFile
{
    public const ushort FormatVersion = 1;
    public const int MaxEmbeddingSize = 65536;
    public const int MaxStringBytes = 1024;
    private const int ChecksumLength = 32;
    private static readonly byte[] Magic = "FNGALLRY"u8.ToArray();

    public static void Write(string path, GalleryContent content) => Write(path, content, static file => file);

    /// <summary>Writes through <paramref name="wrap"/>(the temporary file's stream): tests inject failures (a full disk) with it.</summary>
    internal static void Write(string path, GalleryContent content, Func<Stream, Stream> wrap)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (Directory.Exists(full))
            throw new FaceNetException($"Cannot save the gallery to '{path}': it is a directory; give a file name.");
        if (!Directory.Exists(folder))
            throw new FaceNetException($"Cannot save the gallery to '{path}': the folder '{folder}' does not exist; create it first.");
        IO.TemporaryFiles.RemoveStale(full);
        var temporary = IO.AtomicFile.TemporaryPath(full);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var target = wrap(file);
                using (var hashed = new ChecksumStream(target))
                using (var writer = new BinaryWriter(hashed, Encoding.UTF8, leaveOpen: true))
                {
                    WriteBody(writer, content);
                    writer.Flush();
                    target.Write(hashed.CurrentHash());
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            IO.AtomicFile.TryDelete(temporary);
            // The system's message may name the temporary file; the user only knows the target.
            var reason = e.Message.Replace(temporary, path, StringComparison.Ordinal);
            throw new FaceNetException($"Cannot save the gallery to '{path}': {reason}", e);
        }
        catch
        {
            IO.AtomicFile.TryDelete(temporary);
            throw;
        }
    }

    private static void WriteBody(BinaryWriter writer, GalleryContent content)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((ushort)0);
        writer.Write(content.EmbeddingSize);
        WriteString(writer, content.Fingerprint);
        writer.Write(content.Identities.Count);
        writer.Write(content.Identities.Sum(i => (long)i.Embeddings.Length));
        var row = new byte[content.EmbeddingSize * sizeof(float)];
        foreach (var identity in content.Identities)
        {
            WriteString(writer, identity.Name);
            writer.Write(identity.Embeddings.Length);
            foreach (var vector in identity.Embeddings)
            {
                for (int i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(i * 4), vector[i]);
                writer.Write(row);
            }
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length is 0 or > MaxStringBytes)
            throw new ArgumentException($"'{value}' is {bytes.Length} bytes in UTF-8; gallery strings hold 1 to {MaxStringBytes}.");
        writer.Write((ushort)bytes.Length);
        writer.Write(bytes);
    }

    public static GalleryContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new GalleryFormatException($"'{path}' is a directory, not a gallery file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Gallery file '{path}' does not exist.", path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long length = file.Length;
        const int minimum = 8 + 2 + 2 + 4 + 2 + 1 + 4 + 8 + ChecksumLength;
        if (length < minimum)
            throw new GalleryFormatException(length == 0 ? $"Gallery file '{path}' is empty." : $"Gallery file '{path}' is truncated ({length} bytes) or not a gallery file.");
        using var hashed = new ChecksumStream(file);
        var reader = new BoundedReader(hashed, length - ChecksumLength, path);

        if (!reader.Bytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new GalleryFormatException($"'{path}' is not a FaceNet.Net gallery file (wrong magic bytes).");
        ushort version = reader.UInt16();
        if (version != FormatVersion)
            throw new GalleryFormatException($"Gallery file '{path}' has format version {version}; this build of FaceNet.Net reads version {FormatVersion}.");
        if (reader.UInt16() != 0) throw reader.Corrupt("reserved header field is not zero");
        int size = reader.Int32();
        if (size is <= 0 or > MaxEmbeddingSize) throw reader.Corrupt($"embedding size {size} is outside 1..{MaxEmbeddingSize}");
        string fingerprint = reader.String();
        int identityCount = reader.Int32();
        long declaredEmbeddings = reader.Int64();
        long rowBytes = (long)size * sizeof(float);
        // Every identity needs at least a name (3 bytes), a count and one vector.
        if (identityCount < 0 || identityCount > reader.Remaining / (2 + 1 + 4 + rowBytes))
            throw reader.TooLong($"it declares {identityCount} identities, more than its {reader.Remaining} remaining bytes can hold");
        if (declaredEmbeddings < identityCount || declaredEmbeddings > reader.Remaining / rowBytes)
            throw reader.TooLong($"it declares {declaredEmbeddings} embeddings, which its {reader.Remaining} remaining bytes cannot hold");

        var identities = new List<GalleryContent.Identity>(identityCount);
        var row = new byte[rowBytes];
        long total = 0;
        for (int i = 0; i < identityCount; i++)
        {
            string name = reader.String();
            try { InMemoryFaceGallery.ValidateName(name, "name"); }
            catch (ArgumentException e) { throw reader.Corrupt($"identity {i} has an invalid name ({e.Message})"); }
            int count = reader.Int32();
            if (count <= 0 || count > reader.Remaining / rowBytes)
                throw reader.TooLong($"identity '{name}' declares {count} embeddings, which the remaining {reader.Remaining} bytes cannot hold");
            var vectors = new float[count][];
            for (int j = 0; j < count; j++)
            {
                reader.Fill(row);
                var v = new float[size];
                double squares = 0;
                for (int k = 0; k < size; k++)
                {
                    v[k] = BinaryPrimitives.ReadSingleLittleEndian(row.AsSpan(k * 4));
                    squares += (double)v[k] * v[k];
                }
                if (!double.IsFinite(squares) || Math.Abs(Math.Sqrt(squares) - 1) > 1e-3)
                    throw reader.Corrupt($"embedding {j} of '{name}' is not a unit vector");
                vectors[j] = v;
            }
            total += count;
            identities.Add(new GalleryContent.Identity(name, vectors));
        }
        if (total != declaredEmbeddings) throw reader.Corrupt($"it declares {declaredEmbeddings} embeddings but holds {total}");
        if (reader.Remaining != 0) throw reader.Corrupt($"{reader.Remaining} unexpected bytes follow the last identity");

        var expected = hashed.CurrentHash();
        var stored = new byte[ChecksumLength];
        file.ReadExactly(stored);
        if (!stored.AsSpan().SequenceEqual(expected))
            throw new GalleryFormatException($"Gallery file '{path}' is corrupt: its SHA-256 checksum does not match its content.");
        return new GalleryContent(fingerprint, size, identities);
    }

    /// <summary>Reads primitives, refusing to read past the payload's end.</summary>
    private sealed class BoundedReader(Stream stream, long end, string path)
    {
        private readonly byte[] _scratch = new byte[8];
        private long _position;

        public long Remaining => end - _position;

        public GalleryFormatException Corrupt(string why) => new($"Gallery file '{path}' is corrupt: {why}.");

        /// <summary>A declared length the rest of the file cannot hold: cut short, or a damaged length field.</summary>
        public GalleryFormatException TooLong(string why) => new($"Gallery file '{path}' is truncated or corrupt: {why}.");

        public void Fill(Span<byte> destination)
        {
            if (destination.Length > Remaining)
                throw new GalleryFormatException($"Gallery file '{path}' is truncated: it ends inside its data (needs {destination.Length} more bytes at offset {_position}, has {Remaining}).");
            stream.ReadExactly(destination);
            _position += destination.Length;
        }

        public byte[] Bytes(int count)
        {
            var bytes = new byte[count];
            Fill(bytes);
            return bytes;
        }

        public ushort UInt16() { Fill(_scratch.AsSpan(0, 2)); return BinaryPrimitives.ReadUInt16LittleEndian(_scratch); }

        public int Int32() { Fill(_scratch.AsSpan(0, 4)); return BinaryPrimitives.ReadInt32LittleEndian(_scratch); }

        public long Int64() { Fill(_scratch.AsSpan(0, 8)); return BinaryPrimitives.ReadInt64LittleEndian(_scratch); }

        public string String()
        {
            ushort length = UInt16();
            if (length is 0 or > MaxStringBytes) throw Corrupt($"a string length of {length} bytes is outside 1..{MaxStringBytes}");
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Bytes(length));
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt("a string is not valid UTF-8");
            }
        }
    }
}
