using System.Globalization;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using FaceNet.Net.Model.Network;
using FaceNet.Net.Weights;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// The networks a training checkpoint can hold, named by its <c>model</c> metadata: the small
/// <see cref="CompactEmbeddingNetwork"/> (<c>compact</c>) and the FaceNet network itself
/// (<c>inception-resnet-v1</c>, 160x160 input). Stateless and thread-safe.
/// </summary>
public static class TrainableNetworks
{
    /// <summary>The metadata value naming Inception-ResNet-v1.</summary>
    public const string InceptionResnetV1Name = "inception-resnet-v1";

    /// <summary>Checkpoint metadata describing an Inception-ResNet-v1 of <paramref name="embeddingSize"/>.</summary>
    public static IReadOnlyDictionary<string, string> InceptionResnetV1Metadata(int embeddingSize) => new Dictionary<string, string>
    {
        [CompactEmbeddingNetwork.ModelKey] = InceptionResnetV1Name,
        ["embeddingSize"] = embeddingSize.ToString(CultureInfo.InvariantCulture),
        ["inputSize"] = FaceNetModel.InputSize.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The preprocessing a checkpoint's network was trained with: the <c>facenet.preprocessing</c> entry
    /// (<see cref="SafetensorsMetadata.Preprocessing"/>, the key converted weight files use too) that
    /// <see cref="EmbeddingTrainer"/> writes from <see cref="IIdentityDataset.Preprocessing"/>. A checkpoint without it
    /// declares <see cref="PreprocessingMode.Fixed"/>: every dataset of the trainer used (x − 127.5) / 128 before
    /// checkpoints recorded the mode.
    /// </summary>
    /// <exception cref="FaceNetException">The entry names no known preprocessing.</exception>
    public static PreprocessingMode PreprocessingOf(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(SafetensorsMetadata.Preprocessing, out var name)) return PreprocessingMode.Fixed;
        return PreprocessingModeNames.TryParse(name, out var mode)
            ? mode
            : throw new FaceNetException($"The checkpoint metadata names an unknown preprocessing '{name}' ({SafetensorsMetadata.Preprocessing}): expected fixed, unit or prewhiten.");
    }

    /// <summary>
    /// Pretrained FaceNet weights (a Keras <c>.h5</c> in any published layout, or a converted <c>.safetensors</c>) in a
    /// new, trainable Inception-ResNet-v1 on the CPU: the starting point for fine-tuning with
    /// <see cref="EmbeddingTrainer"/>. The network is in training mode, with BatchNorm as separate layers (not folded),
    /// takes float32 N x 3 x 160 x 160 input preprocessed as the weights expect, and returns the raw N x D embeddings.
    /// Record <see cref="InceptionResnetV1Metadata"/> of <c>EmbeddingSize</c> in its checkpoints so that
    /// <see cref="FromMetadata"/> rebuilds it. Thread-safe; each call returns a new network that the caller owns and disposes.
    /// </summary>
    /// <param name="path">The weight file.</param>
    /// <returns>The network and its embedding size D (128 or 512 for the published weights).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="WeightLoadException">The file is not a readable weight file, or its weights do not fit the network.</exception>
    public static (nn.Module<Tensor, Tensor> Network, int EmbeddingSize) InceptionResnetV1FromWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var network = FaceNetModel.LoadTrainableNetwork(path);
        return (network, network.EmbeddingSize);
    }

    /// <summary>Rebuilds the (untrained) architecture the metadata names, with its input side.</summary>
    /// <exception cref="FaceNetException">The metadata names no known network or lacks its sizes.</exception>
    public static (nn.Module<Tensor, Tensor> Network, int InputSize) FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        metadata.TryGetValue(CompactEmbeddingNetwork.ModelKey, out var name);
        switch (name)
        {
            case CompactEmbeddingNetwork.ModelName:
                var compact = CompactEmbeddingNetwork.FromMetadata(metadata);
                return (compact, compact.InputSize);
            case InceptionResnetV1Name:
                if (!metadata.TryGetValue("embeddingSize", out var size) || !int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d < 1)
                    throw new FaceNetException("The checkpoint metadata lacks a valid 'embeddingSize'.");
                FaceNetRuntime.EnsureInitialized();
                return (new InceptionResnetV1(d), FaceNetModel.InputSize);
            default:
                throw new FaceNetException($"The checkpoint holds an unknown network (model '{name ?? "<none>"}'); known: {CompactEmbeddingNetwork.ModelName}, {InceptionResnetV1Name}.");
        }
    }
}
