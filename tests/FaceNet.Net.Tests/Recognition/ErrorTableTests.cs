using System.Buffers.Binary;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>The gallery-file and API-misuse rows of docs/errors.md; each test name starts with its row id.</summary>
public class ErrorTableTests
{
    private static string SavedSample(TempFolder folder)
    {
        var path = folder.File("g.gallery");
        using var gallery = GalleryPersistenceTests.Sample();
        gallery.Save(path);
        return path;
    }

    [Test]
    public void G01_empty_gallery_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("empty.gallery");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"Gallery file '{path}' is empty."));
    }

    [Test]
    public void G02_file_that_is_not_a_gallery()
    {
        using var folder = new TempFolder();
        var path = folder.File("photo.gallery");
        var bytes = new byte[500];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"'{path}' is not a FaceNet.Net gallery file (wrong magic bytes)."));
    }

    [Test]
    public void G03_truncated_gallery_file()
    {
        using var folder = new TempFolder();
        var path = SavedSample(folder);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Does.StartWith($"Gallery file '{path}' is truncated or corrupt: it declares 4 embeddings, which its "));
    }

    [Test]
    public void G04_gallery_file_with_a_changed_byte_fails_its_checksum()
    {
        using var folder = new TempFolder();
        var path = SavedSample(folder);
        var bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, "bob"u8.ToArray());
        bytes[at] = (byte)'B';
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"Gallery file '{path}' is corrupt: its SHA-256 checksum does not match its content."));
    }

    [Test]
    public void G05_gallery_file_declaring_more_identities_than_it_can_hold()
    {
        using var folder = new TempFolder();
        var path = SavedSample(folder);
        var bytes = File.ReadAllBytes(path);
        int countOffset = 8 + 2 + 2 + 4 + 2 + RandomEmbeddings.Source.Length;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(countOffset), int.MaxValue);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Does.StartWith($"Gallery file '{path}' is truncated or corrupt: it declares {int.MaxValue} identities, more than its"));
    }

    [Test]
    public void G06_gallery_file_of_a_newer_format_version()
    {
        using var folder = new TempFolder();
        var path = SavedSample(folder);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 2);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"Gallery file '{path}' has format version 2; this build of FaceNet.Net reads version 1."));
    }

    [Test]
    public void G07_gallery_built_with_other_weights()
    {
        using var folder = new TempFolder();
        var path = SavedSample(folder);
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork(seed: 1));
        var e = Assert.Throws<GalleryWeightsMismatchException>(() => InMemoryFaceGallery.Load(path, encoder));
        Assert.That(e!.Message, Does.StartWith($"Gallery '{path}' was built with weights {RandomEmbeddings.Source} (128-d), not with the weights in use ({encoder.Fingerprint}, 128-d)"));
        Assert.That(e.ActualFingerprint, Is.EqualTo(RandomEmbeddings.Source));
    }

    [Test]
    public void G08_missing_gallery_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("none.gallery");
        var e = Assert.Throws<FileNotFoundException>(() => InMemoryFaceGallery.Load(path));
        Assert.That(e!.Message, Is.EqualTo($"Gallery file '{path}' does not exist."));
    }

    [Test]
    public void G09_directory_instead_of_gallery_file()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<GalleryFormatException>(() => InMemoryFaceGallery.Load(folder.Path));
        Assert.That(e!.Message, Is.EqualTo($"'{folder.Path}' is a directory, not a gallery file."));
    }

    [Test]
    public void G10_a_failed_enrol_leaves_the_gallery_and_its_file_as_they_were()
    {
        using var folder = new TempFolder();
        var good = TestImages.WriteFaces(folder.Path, 2);
        var bad = folder.File("broken.png");
        File.WriteAllText(bad, "not a png");
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork());
        using var gallery = new InMemoryFaceGallery(encoder);
        encoder.Enroll(gallery, "alice", [good[0]]);
        var path = folder.File("g.gallery");
        gallery.Save(path);
        var before = File.ReadAllBytes(path);

        Assert.Throws<FaceNet.Net.Imaging.ImageLoadException>(() => encoder.Enroll(gallery, "bob", [good[1], bad]));

        Assert.That(gallery.List(), Is.EqualTo(new[] { new GalleryIdentity("alice", 1) }), "nothing of bob was enrolled");
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public void A01_null_arguments()
    {
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork());
        using var gallery = new InMemoryFaceGallery(encoder);
        Assert.That(() => encoder.Encode((Image<Rgb24>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("image"));
        Assert.That(() => encoder.Encode((string)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("path"));
        Assert.That(() => gallery.Identify(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("probe"));
        Assert.That(() => gallery.Enroll("x", (FaceEmbedding)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("embedding"));
        Assert.That(() => FaceVerifier.Verify(null!, null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("a"));
    }

    [Test]
    public void A02_identify_on_an_empty_gallery_returns_unknown_with_no_candidates()
    {
        using var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        var result = gallery.Identify(RandomEmbeddings.Next(new Random(1)));
        Assert.That(result.IsKnown, Is.False);
        Assert.That(result.Identity, Is.Null);
        Assert.That(result.Candidates, Is.Empty);
        Assert.That(result.Distance, Is.Null);
    }

    [Test]
    public void A03_embedding_of_the_wrong_dimension()
    {
        using var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        var small = RandomEmbeddings.Next(new Random(1), dimension: 64);
        var e = Assert.Throws<ArgumentException>(() => gallery.Enroll("x", small));
        Assert.That(e!.Message, Does.StartWith("The embedding has 64 values; this gallery holds 128-d embeddings."));
        Assert.Throws<ArgumentException>(() => gallery.Identify(small));
        var big = RandomEmbeddings.Next(new Random(2));
        var pair = Assert.Throws<ArgumentException>(() => FaceVerifier.Verify(small, big));
        Assert.That(pair!.Message, Is.EqualTo("Embeddings of different dimensions cannot be compared (64 and 128)."));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void A04_topK_not_positive(int topK)
    {
        using var gallery = GalleryPersistenceTests.Sample();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => gallery.Identify(RandomEmbeddings.Next(new Random(1)), topK));
        Assert.That(e!.ParamName, Is.EqualTo("topK"));
    }

    [Test]
    public void A05_disposed_encoder_and_gallery()
    {
        var encoder = new FaceEncoder(new TestEmbeddingNetwork());
        using var image = TestImages.Face(1);
        encoder.Dispose();
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.Encode(image));
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeBatch([image]));
        var gallery = GalleryPersistenceTests.Sample();
        gallery.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gallery.Identify(RandomEmbeddings.Next(new Random(1))));
    }

    [Test]
    public void A06_embedding_from_other_weights()
    {
        using var gallery = GalleryPersistenceTests.Sample();
        var foreign = RandomEmbeddings.Next(new Random(1), source: "other-weights");
        var e = Assert.Throws<GalleryWeightsMismatchException>(() => gallery.Enroll("x", foreign));
        Assert.That(e!.Message, Is.EqualTo($"The embedding was made with weights other-weights; this gallery was built with {RandomEmbeddings.Source}. Encode with the gallery's weights."));
        Assert.Throws<GalleryWeightsMismatchException>(() => gallery.Identify(foreign));
        var pair = Assert.Throws<ArgumentException>(() => FaceVerifier.Verify(foreign, RandomEmbeddings.Next(new Random(2))));
        Assert.That(pair!.Message, Is.EqualTo($"Embeddings from different weights cannot be compared ('other-weights' and '{RandomEmbeddings.Source}')."));
    }

    [Test]
    public void A07_unknown_identity()
    {
        using var gallery = GalleryPersistenceTests.Sample();
        var probe = RandomEmbeddings.Next(new Random(1));
        var e = Assert.Throws<IdentityNotFoundException>(() => gallery.Verify(probe, "carol"));
        Assert.That(e!.Message, Is.EqualTo("No identity named 'carol' is enrolled in the gallery."));
        Assert.Throws<IdentityNotFoundException>(() => gallery.Rename("carol", "dave"));
        Assert.That(gallery.Remove("carol"), Is.False);
    }

    [Test]
    public void A08_bad_identity_names()
    {
        using var gallery = GalleryPersistenceTests.Sample();
        var embedding = RandomEmbeddings.Next(new Random(1));
        Assert.That(() => gallery.Enroll("  ", embedding), Throws.ArgumentException.With.Message.StartsWith("An identity name cannot be empty or blank."));
        Assert.That(() => gallery.Enroll("a\nb", embedding), Throws.ArgumentException.With.Message.StartsWith("An identity name cannot contain control characters."));
        Assert.That(() => gallery.Enroll(new string('x', 257), embedding), Throws.ArgumentException.With.Message.StartsWith("An identity name can have at most 256 characters."));
        Assert.That(() => gallery.Rename("alice", "bob"), Throws.ArgumentException.With.Message.StartsWith("An identity named 'bob' is already enrolled; remove it first or choose another name."));
    }

    [TestCase(0f)]
    [TestCase(-1f)]
    [TestCase(float.NaN)]
    public void A09_threshold_not_positive_finite(float threshold)
    {
        var random = new Random(1);
        var a = RandomEmbeddings.Next(random);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => FaceVerifier.Verify(a, a, threshold: threshold));
        Assert.That(e!.Message, Does.StartWith("A threshold must be a positive finite number."));
    }

    [Test]
    public void A10_embedding_values_that_cannot_be_normalised()
    {
        Assert.That(() => FaceEmbedding.FromValues([0f, 0f], "s"), Throws.ArgumentException.With.Message.StartsWith("An all-zero vector has no direction and cannot be normalised."));
        Assert.That(() => FaceEmbedding.FromValues([1f, float.NaN], "s"), Throws.ArgumentException.With.Message.StartsWith("An embedding cannot contain NaN or infinity."));
        Assert.That(() => FaceEmbedding.FromValues([], "s"), Throws.ArgumentException.With.Message.StartsWith("An embedding needs at least one value."));
    }

    [Test]
    public void A11_save_into_a_missing_folder()
    {
        using var folder = new TempFolder();
        using var gallery = GalleryPersistenceTests.Sample();
        var path = Path.Combine(folder.Path, "missing", "g.gallery");
        var e = Assert.Throws<FaceNetException>(() => gallery.Save(path));
        Assert.That(e!.Message, Is.EqualTo($"Cannot save the gallery to '{path}': the folder '{Path.Combine(folder.Path, "missing")}' does not exist; create it first."));
        Assert.That(Directory.Exists(Path.Combine(folder.Path, "missing")), Is.False);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i <= haystack.Length - needle.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }
}
