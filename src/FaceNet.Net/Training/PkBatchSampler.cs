namespace FaceNet.Net.Training;

/// <summary>
/// Draws batches of P distinct identities x K images each, reproducibly: the batches of an epoch depend only on the
/// seed and the epoch number, so a run resumed at an epoch boundary sees the same batches. Immutable, thread-safe.
/// </summary>
/// <remarks>
/// Identities are visited in a shuffled order, P at a time, reshuffling when the order runs out. From an identity with
/// at least K images, K distinct images are drawn; from one with fewer (but at least 2), all its images plus random
/// repeats (augmentation makes repeats differ).
/// </remarks>
public sealed class PkBatchSampler
{
    private readonly int[] _imageCounts;

    /// <summary>Creates the sampler and checks that the dataset can fill P x K batches.</summary>
    /// <param name="dataset">The dataset to sample from.</param>
    /// <param name="identitiesPerBatch">P, at least 2.</param>
    /// <param name="imagesPerIdentity">K, at least 2.</param>
    /// <param name="seed">The seed of every draw.</param>
    /// <exception cref="ArgumentOutOfRangeException">P or K is below 2.</exception>
    /// <exception cref="FaceNetException">The dataset has fewer than P identities, or an identity has a single image.</exception>
    public PkBatchSampler(IIdentityDataset dataset, int identitiesPerBatch, int imagesPerIdentity, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (identitiesPerBatch < 2)
            throw new ArgumentOutOfRangeException(nameof(identitiesPerBatch), identitiesPerBatch, "A batch needs at least 2 identities (P ≥ 2) to have negatives.");
        if (imagesPerIdentity < 2)
            throw new ArgumentOutOfRangeException(nameof(imagesPerIdentity), imagesPerIdentity, "A batch needs at least 2 images per identity (K ≥ 2) to have positives.");
        if (dataset.IdentityCount < identitiesPerBatch)
            throw new FaceNetException($"The dataset has {dataset.IdentityCount} identities but a batch needs {identitiesPerBatch} (P); lower P or add identities.");
        _imageCounts = new int[dataset.IdentityCount];
        for (int i = 0; i < _imageCounts.Length; i++)
        {
            _imageCounts[i] = dataset.ImageCount(i);
            if (_imageCounts[i] < 2)
                throw new FaceNetException($"Identity '{dataset.IdentityName(i)}' has {_imageCounts[i]} image(s), but K = {imagesPerIdentity} needs at least 2 per identity; add images or remove that identity.");
        }
        IdentitiesPerBatch = identitiesPerBatch;
        ImagesPerIdentity = imagesPerIdentity;
        Seed = seed;
    }

    /// <summary>P.</summary>
    public int IdentitiesPerBatch { get; }

    /// <summary>K.</summary>
    public int ImagesPerIdentity { get; }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The default number of batches in an epoch: each identity once, at least one batch.</summary>
    public int DefaultBatchesPerEpoch => Math.Max(1, _imageCounts.Length / IdentitiesPerBatch);

    /// <summary>The batches of epoch <paramref name="epoch"/>.</summary>
    /// <param name="epoch">The zero-based epoch.</param>
    /// <param name="batches">How many batches to draw.</param>
    public IEnumerable<PkBatch> Epoch(int epoch, int batches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        var rng = new Random(DeriveSeed(Seed, epoch));
        var order = new Queue<int>();
        for (int b = 0; b < batches; b++)
        {
            var chosen = new List<int>(IdentitiesPerBatch);
            while (chosen.Count < IdentitiesPerBatch)
            {
                if (order.Count == 0)
                    foreach (var i in Shuffled(_imageCounts.Length, rng)) order.Enqueue(i);
                int next = order.Dequeue();
                if (!chosen.Contains(next)) chosen.Add(next);
                else order.Enqueue(next);
            }
            var identities = new List<int>(IdentitiesPerBatch * ImagesPerIdentity);
            var images = new List<int>(IdentitiesPerBatch * ImagesPerIdentity);
            foreach (var id in chosen)
            {
                int count = _imageCounts[id];
                var perm = Shuffled(count, rng);
                for (int k = 0; k < ImagesPerIdentity; k++)
                {
                    identities.Add(id);
                    images.Add(k < count ? perm[k] : rng.Next(count));
                }
            }
            yield return new PkBatch(identities, images);
        }
    }

    /// <summary>A seed for (seed, epoch, ...) that is stable across processes and .NET versions.</summary>
    internal static int DeriveSeed(int seed, params int[] parts)
    {
        unchecked
        {
            uint h = 2166136261u ^ (uint)seed;
            foreach (var p in parts) h = (h ^ (uint)p) * 16777619u;
            return (int)(h & 0x7FFFFFFF);
        }
    }

    private static int[] Shuffled(int n, Random rng)
    {
        var a = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }
}
