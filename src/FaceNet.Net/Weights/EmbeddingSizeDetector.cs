using FaceNet.Net.Model.Network;

namespace FaceNet.Net.Weights;

/// <summary>
/// Tells the embedding size D of FaceNet weights from the bottleneck (<c>last_linear.weight</c>, torch shape
/// [D, 1792]): the one rule, whatever the file format. Stateless and thread-safe.
/// </summary>
internal static class EmbeddingSizeDetector
{
    /// <summary>The size assumed when the weights do not tell (the published Keras weights are 128-d).</summary>
    public const int Default = 128;

    /// <summary>Largest embedding size believed from a shape; a larger one marks a corrupt or foreign file.</summary>
    public const int Max = 65536;

    /// <summary>The torch name of the bottleneck's weight.</summary>
    public const string BottleneckName = "last_linear.weight";

    /// <summary>D from the bottleneck's torch shape [D, 1792]; null when the shape is not that.</summary>
    public static int? FromBottleneck(IReadOnlyList<long> torchShape) =>
        torchShape is [> 0 and <= Max, InceptionResnetV1.FeatureChannels] ? (int)torchShape[0] : null;

    /// <summary>D from torch-named weights; null when they hold no bottleneck of the right shape.</summary>
    public static int? Detect(WeightSet weights) =>
        weights.TryGet(BottleneckName, out var bottleneck) ? FromBottleneck(bottleneck.Shape) : null;

    /// <summary>The size to build: the one asked for, else the one detected, else <see cref="Default"/>.</summary>
    public static int Choose(int? requested, int? detected) => requested ?? detected ?? Default;
}
