using FaceNet.Net.Imaging;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// A folder-per-identity dataset: <c>&lt;root&gt;/&lt;identity&gt;/*.png|jpg|jpeg</c>. Images are decoded on demand
/// (<see cref="ImageLoader"/>, its default limits) and resized and preprocessed by the encoder's pipeline, to S x S
/// with <see cref="Preprocessing"/>. Identities and files are in ordinal name order; folders without images are
/// ignored. Safe for concurrent reads (it only reads files).
/// </summary>
public sealed class ImageFolderDataset : IIdentityDataset
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    private readonly string[] _names;
    private readonly string[][] _files;

    /// <summary>Scans <paramref name="root"/> for identity folders.</summary>
    /// <param name="root">The dataset folder.</param>
    /// <param name="imageSize">The side S the images are resized to (e.g. 160 for Inception-ResNet-v1).</param>
    /// <param name="preprocessing">
    /// The preprocessing the network expects: for pretrained weights what they declare, for a checkpoint what it
    /// records (<see cref="TrainableNetworks.PreprocessingOf"/>). Null means <see cref="PreprocessingMode.Prewhiten"/>,
    /// the encoder's choice for weights that declare none.
    /// </param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FaceNetException">No sub-folder holds an image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="preprocessing"/> is not a defined mode.</exception>
    public ImageFolderDataset(string root, int imageSize, PreprocessingMode? preprocessing = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 8);
        if (preprocessing is PreprocessingMode given && !Enum.IsDefined(given))
            throw new ArgumentOutOfRangeException(nameof(preprocessing), given, "Unknown preprocessing mode.");
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Dataset folder '{root}' does not exist.");
        var identities = new List<(string Name, string[] Files)>();
        foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(dir)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length > 0) identities.Add((Path.GetFileName(dir), files));
        }
        if (identities.Count == 0)
            throw new FaceNetException($"Dataset folder '{root}' has no identity: expected <root>/<identity>/*.png or *.jpg.");
        Root = root;
        ImageSize = imageSize;
        Preprocessing = PreprocessingRule.Choose(preprocessing, declared: null);
        _names = identities.Select(i => i.Name).ToArray();
        _files = identities.Select(i => i.Files).ToArray();
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public int IdentityCount => _names.Length;

    /// <inheritdoc />
    public int ImageSize { get; }

    /// <summary>The preprocessing <see cref="LoadImage"/> applies.</summary>
    public PreprocessingMode Preprocessing { get; }

    PreprocessingMode? IIdentityDataset.Preprocessing => Preprocessing;

    /// <inheritdoc />
    public string IdentityName(int identity) => _names[identity];

    /// <inheritdoc />
    public int ImageCount(int identity) => _files[identity].Length;

    /// <summary>The path of image <paramref name="image"/> of identity <paramref name="identity"/>.</summary>
    public string ImagePath(int identity, int image) => _files[identity][image];

    /// <inheritdoc />
    /// <exception cref="ImageLoadException">The file is missing, cannot be decoded, or is larger than <see cref="ImageLoadOptions.MaxPixels"/>.</exception>
    public Tensor LoadImage(int identity, int image)
    {
        using var decoded = ImageLoader.Load(_files[identity][image]);
        using var scope = NewDisposeScope();
        // The pipeline returns a channels-last view; a plain 3 x S x S copy keeps what the trainer stacks unchanged.
        return FaceBatch.ToTensor([decoded], Preprocessing, ImageSize)[0].contiguous().MoveToOuterDisposeScope();
    }
}
