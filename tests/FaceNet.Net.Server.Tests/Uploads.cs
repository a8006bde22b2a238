using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Http.Headers;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Server.Tests;

/// <summary>Multipart bodies for the service: the shared faces, and hostile uploads built here.</summary>
internal static class Uploads
{
    public static string Aligned(string person) => SharedFixtures.Path("fixtures", "faces", "aligned", person + ".png");

    public static string Photo(string name) => SharedFixtures.Path("fixtures", "faces", "photos", name);

    /// <summary>A form with one file per (field, bytes).</summary>
    public static MultipartFormDataContent Form(params (string Field, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, field, field + ".img");
        }
        return form;
    }

    public static MultipartFormDataContent Files(params (string Field, string Path)[] files) =>
        Form(files.Select(f => (f.Field, File.ReadAllBytes(f.Path))).ToArray());

    /// <summary>
    /// A decompression bomb: a PNG of a few hundred bytes whose header declares 60,000 x 60,000 pixels (3.6 G pixels,
    /// 10.8 GB decoded), its one IDAT a little deflate stream.
    /// </summary>
    public static byte[] PngBomb()
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, 60_000);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 60_000);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(png, "IHDR", header);
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(new byte[64 * 1024]);
        Chunk(png, "IDAT", deflated.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
