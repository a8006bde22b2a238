using FaceNet.Net.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// An <see cref="IIdentityDataset"/> held in memory: one K_i x 3 x S x S tensor per identity, already preprocessed.
/// Owns copies of the tensors; dispose it. Safe for concurrent reads.
/// </summary>
public sealed class TensorIdentityDataset : IIdentityDataset, IDisposable
{
    private readonly Tensor[] _images;
    private readonly string[] _names;

    /// <summary>Creates the dataset from one image stack per identity (copied to the CPU as float32).</summary>
    /// <param name="names">The identity names.</param>
    /// <param name="imagesPerIdentity">For each identity a K_i x 3 x S x S tensor, K_i ≥ 1, the same S for all.</param>
    /// <param name="preprocessing">How the tensors were preprocessed, when known (recorded in checkpoints).</param>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or a stack has the wrong shape.</exception>
    public TensorIdentityDataset(IReadOnlyList<string> names, IReadOnlyList<Tensor> imagesPerIdentity, PreprocessingMode? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(imagesPerIdentity);
        if (names.Count != imagesPerIdentity.Count)
            throw new ArgumentException($"{names.Count} names but {imagesPerIdentity.Count} image stacks.", nameof(names));
        if (names.Count == 0) throw new ArgumentException("The dataset has no identity.", nameof(names));
        long side = imagesPerIdentity[0].dim() == 4 ? imagesPerIdentity[0].shape[2] : 0;
        for (int i = 0; i < names.Count; i++)
        {
            var s = imagesPerIdentity[i].shape;
            if (s.Length != 4 || s[0] < 1 || s[1] != 3 || s[2] != side || s[3] != side || side < 1)
                throw new ArgumentException($"Identity '{names[i]}' has images of shape [{string.Join(", ", s)}]; expected K x 3 x {side} x {side} with K ≥ 1.", nameof(imagesPerIdentity));
        }
        _names = names.ToArray();
        _images = imagesPerIdentity.Select(t => t.detach().to(ScalarType.Float32).cpu().clone()).ToArray();
        ImageSize = (int)side;
        Preprocessing = preprocessing;
    }

    /// <inheritdoc />
    public PreprocessingMode? Preprocessing { get; }

    /// <inheritdoc />
    public int IdentityCount => _names.Length;

    /// <inheritdoc />
    public int ImageSize { get; }

    /// <inheritdoc />
    public string IdentityName(int identity) => _names[identity];

    /// <inheritdoc />
    public int ImageCount(int identity) => (int)_images[identity].shape[0];

    /// <inheritdoc />
    public Tensor LoadImage(int identity, int image)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(image);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(image, ImageCount(identity));
        return _images[identity][image].clone();
    }

    /// <summary>Releases the image tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _images) t.Dispose();
    }
}
