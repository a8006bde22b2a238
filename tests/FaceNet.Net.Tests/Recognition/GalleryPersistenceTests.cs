using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

public class GalleryPersistenceTests
{
    internal static InMemoryFaceGallery Sample(int seed = 1, string source = RandomEmbeddings.Source)
    {
        var random = new Random(seed);
        var gallery = new InMemoryFaceGallery(source, 128);
        gallery.Enroll("alice", [RandomEmbeddings.Next(random, source: source), RandomEmbeddings.Next(random, source: source)]);
        gallery.Enroll("bob", RandomEmbeddings.Next(random, source: source));
        gallery.Enroll("Zoë 李", RandomEmbeddings.Next(random, source: source));
        return gallery;
    }

    [Test]
    public void Save_then_load_round_trips_names_order_and_bit_exact_vectors()
    {
        using var folder = new TempFolder();
        var path = folder.File("people.gallery");
        using var original = Sample();
        original.Save(path);

        using var loaded = InMemoryFaceGallery.Load(path, RandomEmbeddings.Source, 128);

        Assert.That(loaded.Fingerprint, Is.EqualTo(RandomEmbeddings.Source));
        Assert.That(loaded.EmbeddingSize, Is.EqualTo(128));
        Assert.That(loaded.List(), Is.EqualTo(original.List()));
        foreach (var identity in original.List())
            for (int i = 0; i < identity.EmbeddingCount; i++)
                Assert.That(loaded.GetEmbeddings(identity.Name)[i].ToArray(), Is.EqualTo(original.GetEmbeddings(identity.Name)[i].ToArray()));
        var probe = original.GetEmbeddings("bob")[0];
        Assert.That(loaded.WhoIsIt(probe).Identity, Is.EqualTo("bob"));
        Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }), "no temporary file is left behind");
    }

    [Test]
    public void Saving_over_an_existing_file_replaces_it_whole()
    {
        using var folder = new TempFolder();
        var path = folder.File("g.gallery");
        using (var first = Sample(1)) first.Save(path);
        using (var second = Sample(2))
        {
            second.Remove("alice");
            second.Save(path);
        }
        using var loaded = InMemoryFaceGallery.Load(path);
        Assert.That(loaded.List().Select(i => i.Name), Is.EqualTo(new[] { "bob", "Zoë 李" }));
    }

    [Test]
    public void A_save_that_fails_midway_leaves_the_old_file_as_it_was_and_no_temporary_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("g.gallery");
        using var gallery = Sample();
        gallery.Save(path);
        var before = File.ReadAllBytes(path);
        gallery.Enroll("carol", RandomEmbeddings.Next(new Random(5)));

        // The disk "fills up" after 300 bytes of the new file.
        var e = Assert.Throws<FaceNetException>(() => gallery.Save(path, file => new FailingStream(file, 300)));

        Assert.That(e!.Message, Is.EqualTo($"Cannot save the gallery to '{path}': No space left on device"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(folder.Path), Is.EqualTo(new[] { path }), "the temporary file was removed");
    }

    /// <summary>Passes writes through until <c>limit</c> bytes, then fails like a full disk.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit) throw new IOException("No space left on device");
            inner.Write(buffer);
            _written += buffer.Length;
        }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Test]
    public void Every_truncation_of_a_gallery_file_is_refused_with_a_clear_error()
    {
        using var folder = new TempFolder();
        var path = folder.File("g.gallery");
        using (var gallery = Sample()) gallery.Save(path);
        var bytes = File.ReadAllBytes(path);
        var cut = folder.File("cut.gallery");
        for (int length = 0; length < bytes.Length; length += 7)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(cut), $"length {length}");
            Assert.That(e!.Message, Does.Contain($"'{cut}'"));
        }
    }

    [Test]
    public void Every_single_byte_change_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("g.gallery");
        using (var gallery = Sample()) gallery.Save(path);
        var bytes = File.ReadAllBytes(path);
        var changed = folder.File("changed.gallery");
        for (int i = 0; i < bytes.Length; i += 5)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x5A;
            File.WriteAllBytes(changed, copy);
            Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(changed), $"byte {i}");
        }
    }
}
