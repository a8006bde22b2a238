using FaceNet.Net.Imaging;
using TorchSharp;

namespace FaceNet.Net.Training;

/// <summary>
/// Images grouped by identity, each loaded as a preprocessed 3 x S x S float tensor. The trainer calls it from one
/// thread; implementations need not be thread-safe unless they say so.
/// </summary>
public interface IIdentityDataset
{
    /// <summary>The number of identities.</summary>
    int IdentityCount { get; }

    /// <summary>The side S of the square images <see cref="LoadImage"/> returns.</summary>
    int ImageSize { get; }

    /// <summary>The name of identity <paramref name="identity"/> (its folder name for an image folder).</summary>
    string IdentityName(int identity);

    /// <summary>The number of images of identity <paramref name="identity"/>.</summary>
    int ImageCount(int identity);

    /// <summary>
    /// The preprocessing <see cref="LoadImage"/> applies, when known (null by default). <see cref="EmbeddingTrainer"/>
    /// records it in every checkpoint, so that <see cref="CheckpointEmbedder"/> and <c>facenet evaluate</c> embed images
    /// the way the network was trained.
    /// </summary>
    PreprocessingMode? Preprocessing => null;

    /// <summary>Image <paramref name="image"/> of identity <paramref name="identity"/> as a 3 x S x S float32 CPU tensor,
    /// preprocessed like the network's input; the caller disposes it.</summary>
    torch.Tensor LoadImage(int identity, int image);
}
