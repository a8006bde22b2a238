using System.Runtime.CompilerServices;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>The gallery's native matrix is owned by a SafeHandle: freed on Dispose, and by the runtime when Dispose is missed.</summary>
[NonParallelizable] // reads a process-wide counter
public class GalleryNativeMemoryTests
{
    private const int Rows = 4099; // an odd size, so this test's matrix is told apart from others by its bytes
    private const long MatrixBytes = Rows * 128L * sizeof(float);

    [Test]
    public void A_gallery_that_is_never_disposed_frees_its_matrix_when_collected()
    {
        long before = NativeMatrixHandle.ReleasedBytes;
        var weak = SearchedGalleryLeftUndisposed();

        for (int i = 0; i < 10 && (weak.IsAlive || NativeMatrixHandle.ReleasedBytes - before < MatrixBytes); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.That(weak.IsAlive, Is.False, "the gallery is unreachable");
        Assert.That(NativeMatrixHandle.ReleasedBytes - before, Is.GreaterThanOrEqualTo(MatrixBytes),
            "the matrix of the undisposed gallery was released by its SafeHandle's finalizer");
    }

    [Test]
    public void Dispose_frees_the_matrix_at_once()
    {
        var gallery = BuildSearched();
        long before = NativeMatrixHandle.ReleasedBytes;
        gallery.Dispose();
        Assert.That(NativeMatrixHandle.ReleasedBytes - before, Is.GreaterThanOrEqualTo(MatrixBytes));
        Assert.That(() => gallery.Identify(RandomEmbeddings.Next(new Random(1))), Throws.InstanceOf<ObjectDisposedException>());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference SearchedGalleryLeftUndisposed() => new(BuildSearched());

    private static InMemoryFaceGallery BuildSearched()
    {
        var random = new Random(5);
        var gallery = new InMemoryFaceGallery(RandomEmbeddings.Source, 128);
        for (int i = 0; i < Rows; i++) gallery.Enroll($"p{i}", [RandomEmbeddings.Next(random)]);
        _ = gallery.Identify(RandomEmbeddings.Next(random)); // builds the native search matrix
        return gallery;
    }
}
