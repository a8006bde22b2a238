using System.Collections.Concurrent;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>Batching of overlapping single-image calls: same results, shared batches, errors kept to their caller, disposal, cancellation.</summary>
public class CoalescingFaceEncoderTests
{
    [Test]
    public void Overlapping_calls_give_the_encoders_own_results()
    {
        using var encoder = new FaceEncoder(new TestEmbeddingNetwork(seed: 3));
        using var coalescing = new CoalescingFaceEncoder(encoder);
        var images = Enumerable.Range(0, 24).Select(i => Noise(i, 120 + i)).ToArray();
        try
        {
            var expected = images.Select(encoder.Encode).ToArray();
            var actual = new FaceEmbedding[images.Length];
            Parallel.For(0, images.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = coalescing.Encode(images[i]));
            for (int i = 0; i < images.Length; i++)
            {
                var a = actual[i].ToArray();
                var e = expected[i].ToArray();
                Assert.That(a.Zip(e, (x, y) => Math.Abs(x - y)).Max(), Is.LessThan(1e-5f), $"image {i}");
                Assert.That(actual[i].Source, Is.EqualTo(encoder.Fingerprint));
            }
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    [Test]
    public void Calls_made_while_a_batch_runs_share_the_next_batch_up_to_the_maximum()
    {
        using var fake = new SlowEncoder(TimeSpan.FromMilliseconds(150));
        using var coalescing = new CoalescingFaceEncoder(fake, maxBatchSize: 4);
        using var image = Noise(1, 32);
        var first = coalescing.EncodeAsync(image);
        Assert.That(fake.Started.Wait(TimeSpan.FromSeconds(10)), Is.True, "the first batch started");
        var rest = Enumerable.Range(0, 10).Select(_ => coalescing.EncodeAsync(image)).ToArray();
        Task.WaitAll([first, .. rest], TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(fake.BatchSizes.First(), Is.EqualTo(1), "a lone call is encoded at once");
            Assert.That(fake.BatchSizes.Skip(1), Is.EqualTo(new[] { 4, 4, 2 }), "the ten waiting calls ran in batches of at most 4");
            Assert.That(coalescing.LargestBatch, Is.EqualTo(4));
            Assert.That(coalescing.Batches, Is.EqualTo(4));
            Assert.That(rest.All(t => t.Status == TaskStatus.RanToCompletion), Is.True);
        });
    }

    [Test]
    public void An_image_that_fails_fails_only_its_own_call()
    {
        using var fake = new SlowEncoder(TimeSpan.FromMilliseconds(100), failWidth: 13);
        using var coalescing = new CoalescingFaceEncoder(fake);
        using var good = Noise(2, 32);
        using var bad = Noise(3, 13);
        var first = coalescing.EncodeAsync(good);
        Assert.That(fake.Started.Wait(TimeSpan.FromSeconds(10)), Is.True);
        var before = coalescing.EncodeAsync(good);
        var failing = coalescing.EncodeAsync(bad);
        var after = coalescing.EncodeAsync(good);
        Assert.Multiple(() =>
        {
            Assert.That(first.Result.Vector.Length, Is.EqualTo(4));
            Assert.That(before.Result.Vector.Length, Is.EqualTo(4));
            Assert.That(after.Result.Vector.Length, Is.EqualTo(4));
            var error = Assert.Throws<AggregateException>(() => failing.Wait(TimeSpan.FromSeconds(30)));
            Assert.That(error!.InnerException, Is.TypeOf<ArgumentException>().With.Message.Contains("13 pixels wide"));
        });
    }

    [Test]
    public void A_call_cancelled_while_waiting_is_not_encoded()
    {
        using var fake = new SlowEncoder(TimeSpan.FromMilliseconds(150));
        using var coalescing = new CoalescingFaceEncoder(fake);
        using var image = Noise(4, 32);
        using var marked = Noise(5, 21);
        var first = coalescing.EncodeAsync(image);
        Assert.That(fake.Started.Wait(TimeSpan.FromSeconds(10)), Is.True);
        using var cancel = new CancellationTokenSource();
        var cancelled = coalescing.EncodeAsync(marked, cancel.Token);
        cancel.Cancel();
        Assert.That(() => cancelled.Wait(TimeSpan.FromSeconds(30)), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<OperationCanceledException>());
        first.Wait(TimeSpan.FromSeconds(30));
        coalescing.Encode(image); // the worker has moved past the cancelled request
        Assert.That(fake.Widths, Does.Not.Contain(21), "the cancelled image never reached the encoder");
        Assert.That(() => coalescing.EncodeAsync(image, cancel.Token), Throws.InstanceOf<OperationCanceledException>(), "an already cancelled token");
    }

    [Test]
    public void Dispose_fails_waiting_calls_refuses_new_ones_and_disposes_an_owned_encoder()
    {
        var fake = new SlowEncoder(TimeSpan.FromMilliseconds(200));
        var coalescing = new CoalescingFaceEncoder(fake, ownsEncoder: true);
        using var image = Noise(6, 32);
        var running = coalescing.EncodeAsync(image);
        Assert.That(fake.Started.Wait(TimeSpan.FromSeconds(10)), Is.True);
        var waiting = coalescing.EncodeAsync(image);
        coalescing.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(running.Status, Is.EqualTo(TaskStatus.RanToCompletion), "the running batch finished");
            Assert.That(() => waiting.Wait(TimeSpan.FromSeconds(5)), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<ObjectDisposedException>());
            Assert.That(() => coalescing.Encode(image), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(fake.Disposed, Is.True);
            Assert.DoesNotThrow(coalescing.Dispose);
            Assert.Throws<ArgumentNullException>(() => coalescing.EncodeAsync(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => new CoalescingFaceEncoder(fake, maxBatchSize: 0));
        });
    }

    [Test]
    public async Task As_an_IFaceEncoder_batches_and_files_go_through_the_queue_in_order()
    {
        using var fake = new SlowEncoder(TimeSpan.FromMilliseconds(20));
        IFaceEncoder coalescing = new CoalescingFaceEncoder(fake, maxBatchSize: 8);
        using var _c = coalescing;
        var images = Enumerable.Range(0, 5).Select(i => Noise(i, 30 + i)).ToArray();
        using var folder = new TempFolder();
        var paths = new List<string>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var path = Path.Combine(folder.Path, $"face{i}.png");
                await images[i].SaveAsPngAsync(path);
                paths.Add(path);
            }

            Assert.That((coalescing.EmbeddingSize, coalescing.Fingerprint, coalescing.Preprocessing), Is.EqualTo((4, "slow", PreprocessingMode.Fixed)));
            var batch = coalescing.EncodeBatch(images);
            Assert.That(batch.Select(e => (int)Math.Round(e.ToArray()[0] / e.ToArray()[2])), Is.EqualTo(images.Select(i => i.Width)), "in input order");

            var fromFiles = await coalescing.EncodeBatchAsync(paths, progress: null, CancellationToken.None);
            Assert.That(fromFiles.Select(e => (int)Math.Round(e.ToArray()[0] / e.ToArray()[2])), Is.EqualTo(new[] { 30, 31, 32 }));
            Assert.That(coalescing.Encode(paths[1]).ToArray(), Is.EqualTo(fromFiles[1].ToArray()));
            await using (var stream = File.OpenRead(paths[2]))
                Assert.That(coalescing.Encode(stream, "face2").ToArray(), Is.EqualTo(fromFiles[2].ToArray()));
            Assert.That(fake.Widths, Does.Contain(32), "the wrapped encoder saw the decoded file");
            Assert.That(async () => await coalescing.EncodeBatchAsync([Path.Combine(folder.Path, "missing.png")]), Throws.InstanceOf<ImageLoadException>());
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    private static Image<Rgb24> Noise(int seed, int width)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, 40);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        return image;
    }

    /// <summary>An encoder that takes <c>delay</c> per batch, records batch sizes and image widths, and rejects one width.</summary>
    private sealed class SlowEncoder(TimeSpan delay, int failWidth = -1) : IFaceEncoder
    {
        public ManualResetEventSlim Started { get; } = new();
        public ConcurrentQueue<int> BatchSizes { get; } = new();
        public ConcurrentQueue<int> Widths { get; } = new();
        public bool Disposed { get; private set; }
        public int EmbeddingSize => 4;
        public string Fingerprint => "slow";
        public PreprocessingMode Preprocessing => PreprocessingMode.Fixed;

        public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<Image<Rgb24>> images)
        {
            BatchSizes.Enqueue(images.Count);
            foreach (var image in images) Widths.Enqueue(image.Width);
            Started.Set();
            Thread.Sleep(delay);
            if (images.Any(i => i.Width == failWidth)) throw new ArgumentException($"an image {failWidth} pixels wide");
            return images.Select(i => FaceEmbedding.FromValues([i.Width, i.Height, 1, 1], Fingerprint)).ToArray();
        }

        public FaceEmbedding Encode(Image<Rgb24> image) => EncodeBatch([image])[0];
        public FaceEmbedding Encode(string path) => throw new NotSupportedException();
        public FaceEmbedding Encode(Stream stream, string? sourceName = null) => throw new NotSupportedException();
        public IReadOnlyList<FaceEmbedding> EncodeBatch(IReadOnlyList<string> paths) => throw new NotSupportedException();
        public Task<IReadOnlyList<FaceEmbedding>> EncodeBatchAsync(IReadOnlyList<string> paths, IProgress<int>? progress = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void Dispose() => Disposed = true;
    }
}
