using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// A folder-per-identity dataset: <c>&lt;root&gt;/&lt;identity&gt;/*.png|jpg|jpeg</c>. Images are decoded on demand to
/// RGB, resized to S x S and preprocessed with (x − 127.5) / 128. Identities and files are in ordinal name order;
/// folders without images are ignored. Safe for concurrent reads (it only reads files).
/// </summary>
public sealed class ImageFolderDataset : IIdentityDataset
{
    /// <summary>The largest decoded image accepted, in pixels (crafted files can claim huge sizes).</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    private readonly string[] _names;
    private readonly string[][] _files;

    /// <summary>Scans <paramref name="root"/> for identity folders.</summary>
    /// <param name="root">The dataset folder.</param>
    /// <param name="imageSize">The side S the images are resized to (e.g. 160 for Inception-ResNet-v1).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FaceNetException">No sub-folder holds an image.</exception>
    public ImageFolderDataset(string root, int imageSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 8);
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
        _names = identities.Select(i => i.Name).ToArray();
        _files = identities.Select(i => i.Files).ToArray();
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public int IdentityCount => _names.Length;

    /// <inheritdoc />
    public int ImageSize { get; }

    /// <inheritdoc />
    public string IdentityName(int identity) => _names[identity];

    /// <inheritdoc />
    public int ImageCount(int identity) => _files[identity].Length;

    /// <summary>The path of image <paramref name="image"/> of identity <paramref name="identity"/>.</summary>
    public string ImagePath(int identity, int image) => _files[identity][image];

    /// <inheritdoc />
    /// <exception cref="FaceNetException">The file is not a readable PNG/JPEG, or is larger than <see cref="MaxPixels"/>.</exception>
    public Tensor LoadImage(int identity, int image) => Load(_files[identity][image], ImageSize);

    /// <summary>Decodes one image file to a 3 x S x S float32 tensor preprocessed with (x − 127.5) / 128.</summary>
    /// <param name="path">An image file in any format <see cref="ImageLoader"/> reads.</param>
    /// <param name="size">The side S (the image is resized with the bicubic resampler).</param>
    /// <exception cref="ImageLoadException">The file is missing, cannot be decoded, or is too large.</exception>
    internal static Tensor Load(string path, int size)
    {
        var rgb = new byte[size * size * 3];
        using (var img = ImageLoader.Load(path, new ImageLoadOptions { MaxPixels = MaxPixels }))
        {
            img.Mutate(c => c.Resize(size, size, KnownResamplers.Bicubic));
            img.CopyPixelDataTo(rgb);
        }
        using var scope = NewDisposeScope();
        var hwc = tensor(rgb, new long[] { size, size, 3 });
        return hwc.permute(2, 0, 1).to(ScalarType.Float32).sub(127.5).div(128.0).contiguous().MoveToOuterDisposeScope();
    }
}
