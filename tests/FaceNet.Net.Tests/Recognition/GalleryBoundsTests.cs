using System.Text;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>
/// Row G12 of docs/errors.md: every count and length in a gallery file's header is checked against the bytes the file
/// still has before anything is allocated, so a crafted header is a <see cref="GalleryFormatException"/>, never an
/// <see cref="OutOfMemoryException"/>.
/// </summary>
public class GalleryBoundsTests
{
    /// <summary>A header (version 1, 128-d) with the given counts, then <paramref name="payload"/> and 32 checksum bytes.</summary>
    private static byte[] Crafted(int identities, long embeddings, byte[] payload, int size = 128)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("FNGALLRY"u8);
            w.Write((ushort)1);
            w.Write((ushort)0);
            w.Write(size);
            var fingerprint = "random"u8.ToArray();
            w.Write((ushort)fingerprint.Length);
            w.Write(fingerprint);
            w.Write(identities);
            w.Write(embeddings);
            w.Write(payload);
            w.Write(new byte[32]);
        }
        return buffer.ToArray();
    }

    /// <summary>One identity's record: a name of <paramref name="nameLength"/> declared bytes ("a" repeated), then a count.</summary>
    private static byte[] Identity(ushort nameLength, int count, int nameBytesPresent = -1)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(nameLength);
            w.Write(Enumerable.Repeat((byte)'a', nameBytesPresent < 0 ? nameLength : nameBytesPresent).ToArray());
            w.Write(count);
            w.Write(new byte[64]);
        }
        return buffer.ToArray();
    }

    private static IEnumerable<TestCaseData> Headers()
    {
        // Room for one identity of one 128-d vector, so only the count under test is implausible.
        var small = Identity(3, 1).Concat(new byte[512]).ToArray();
        yield return new TestCaseData(int.MaxValue, 1L, small, "it declares 2147483647 identities, more than its ").SetName("G12 2^31-1 identities");
        yield return new TestCaseData(int.MinValue, 1L, small, "it declares -2147483648 identities").SetName("G12 2^31 identities (negative as int32)");
        yield return new TestCaseData(1, long.MaxValue, small, "it declares 9223372036854775807 embeddings").SetName("G12 2^63-1 embeddings");
        yield return new TestCaseData(1, -1L, small, "it declares -1 embeddings").SetName("G12 negative embedding count");
        yield return new TestCaseData(0, 0L, Identity(3, int.MaxValue), "unexpected bytes follow the last identity").SetName("G12 zero identities then data");
        yield return new TestCaseData(1, 0L, small, "it declares 0 embeddings").SetName("G12 fewer embeddings than identities");
    }

    [TestCaseSource(nameof(Headers))]
    public void G12_crafted_counts_are_refused_before_allocating(int identities, long embeddings, byte[] payload, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("crafted.gallery");
        File.WriteAllBytes(path, Crafted(identities, embeddings, payload));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path))!;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        TestContext.Out.WriteLine($"{e.Message} ({allocated} bytes allocated)");
        Assert.That(e.Message, Does.Contain($"'{path}'"));
        Assert.That(e.Message, Does.Contain(expected));
        Assert.That(allocated, Is.LessThan(1 << 20), "nothing sized by the header is allocated");
    }

    [Test]
    public void G12_an_identity_declaring_more_embeddings_than_the_file_holds_is_refused()
    {
        // One identity whose count (2^31 - 1) the 576 remaining bytes cannot hold; the header counts are plausible.
        using var folder = new TempFolder();
        var path = folder.File("crafted.gallery");
        var payload = Identity(3, int.MaxValue).Concat(new byte[512]).ToArray();
        File.WriteAllBytes(path, Crafted(1, 1, payload));
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path))!;
        Assert.That(e.Message, Does.StartWith($"Gallery file '{path}' is truncated or corrupt: identity 'aaa' declares 2147483647 embeddings, which the remaining "));
    }

    [Test]
    public void G12_a_name_length_beyond_the_limit_or_the_file_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("crafted.gallery");
        File.WriteAllBytes(path, Crafted(1, 1, Identity(ushort.MaxValue, 1, nameBytesPresent: 3).Concat(new byte[512]).ToArray()));
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"Gallery file '{path}' is corrupt: a string length of 65535 bytes is outside 1..1024."));

        File.WriteAllBytes(path, Crafted(1, 1, Identity(1000, 1, nameBytesPresent: 3).Concat(new byte[512]).ToArray()));
        e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path))!;
        Assert.That(e.Message, Does.StartWith($"Gallery file '{path}' is truncated: it ends inside its data (needs 1000 more bytes"));
    }
}
