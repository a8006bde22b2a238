using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// A small convolutional embedding network (three stride-2 conv-BN-ReLU units, global average pooling, a linear
/// head) for training from scratch on the CPU, for tests and for trying the training pipeline before real weights are
/// available. Not FaceNet: use Inception-ResNet-v1 for real faces. Not thread-safe (TorchSharp modules are not).
/// </summary>
public sealed class CompactEmbeddingNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>The checkpoint metadata value of <see cref="ModelKey"/> for this network.</summary>
    public const string ModelName = "compact";

    /// <summary>The checkpoint metadata key naming the network.</summary>
    public const string ModelKey = "model";

    private readonly Sequential conv1;
    private readonly Sequential conv2;
    private readonly Sequential conv3;
    private readonly Linear head;

    /// <summary>Creates the network with freshly initialised weights (seed TorchSharp first for reproducibility).</summary>
    /// <param name="embeddingSize">D, the embedding length (default 64).</param>
    /// <param name="width">Channels of the first unit; the next have 2x and 4x (default 16).</param>
    /// <param name="inputSize">The side of the square input images (default 64); recorded for checkpoints.</param>
    public CompactEmbeddingNetwork(int embeddingSize = 64, int width = 16, int inputSize = 64) : base(nameof(CompactEmbeddingNetwork))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 8);
        EmbeddingSize = embeddingSize;
        Width = width;
        InputSize = inputSize;
        conv1 = Unit(3, width);
        conv2 = Unit(width, 2 * width);
        conv3 = Unit(2 * width, 4 * width);
        head = nn.Linear(4 * width, embeddingSize);
        RegisterComponents();
    }

    /// <summary>D.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Channels of the first unit.</summary>
    public int Width { get; }

    /// <summary>The side of the input images.</summary>
    public int InputSize { get; }

    /// <summary>N x 3 x S x S preprocessed images to N x D embeddings (not normalised).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = conv1.forward(input);          // N x w x S/2 x S/2
        x = conv2.forward(x);                  // N x 2w x S/4 x S/4
        x = conv3.forward(x);                  // N x 4w x S/8 x S/8
        x = x.mean(new long[] { 2, 3 });       // N x 4w
        return head.forward(x).MoveToOuterDisposeScope();   // N x D
    }

    /// <summary>The metadata that lets <see cref="FromMetadata"/> rebuild this network from a checkpoint.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        [ModelKey] = ModelName,
        ["embeddingSize"] = EmbeddingSize.ToString(CultureInfo.InvariantCulture),
        ["width"] = Width.ToString(CultureInfo.InvariantCulture),
        ["inputSize"] = InputSize.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Rebuilds the architecture described by checkpoint metadata (weights not loaded).</summary>
    /// <exception cref="FaceNetException">The metadata does not describe this network.</exception>
    public static CompactEmbeddingNetwork FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(ModelKey, out var name) || name != ModelName)
            throw new FaceNetException($"The checkpoint does not hold a {nameof(CompactEmbeddingNetwork)} (model '{name ?? "<none>"}').");
        int Get(string key) => metadata.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            ? i : throw new FaceNetException($"The checkpoint metadata lacks a valid '{key}'.");
        return new CompactEmbeddingNetwork(Get("embeddingSize"), Get("width"), Get("inputSize"));
    }

    private static Sequential Unit(int input, int output) => nn.Sequential(
        ("conv", nn.Conv2d(input, output, 3, stride: 2, padding: 1, bias: false)),
        ("bn", nn.BatchNorm2d(output)),
        ("relu", nn.ReLU()));
}
