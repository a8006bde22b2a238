using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// The folded network as data, in three parts: the stem (large maps, run in chunks on the CPU), the body and the
/// head. Made by <see cref="PlanBuilder"/> from the module tree; owns every folded tensor. Immutable after it is
/// made, so it may be read from any thread; dispose it once no backend uses it.
/// </summary>
internal sealed class NetworkPlan(SequenceNode stem, SequenceNode body, HeadNode head, ScalarType dtype, Device device, bool channelsLast) : IDisposable
{
    /// <summary>The stem: N x 3 x H x W → N x 64 x H' x W'.</summary>
    public SequenceNode Stem { get; } = stem;

    /// <summary>Everything between the stem and the head.</summary>
    public SequenceNode Body { get; } = body;

    /// <summary>Pooling and the folded bottleneck.</summary>
    public HeadNode Head { get; } = head;

    /// <summary>The type the folded weights are in.</summary>
    public ScalarType DType { get; } = dtype;

    /// <summary>The device the folded weights are on.</summary>
    public Device Device { get; } = device;

    /// <summary>Whether the 4-d weights are laid out channels-last (and inputs should be too).</summary>
    public bool ChannelsLast { get; } = channelsLast;

    /// <summary>Every convolution of the plan in the order a forward pass runs them.</summary>
    public IEnumerable<FoldedConvolution> Convolutions() => Walk(Stem).Concat(BodyConvolutions());

    /// <summary>The body's convolutions in the order a forward pass runs them.</summary>
    public IEnumerable<FoldedConvolution> BodyConvolutions() => Walk(Body);

    private static IEnumerable<FoldedConvolution> Walk(PlanNode node) => node switch
    {
        ConvolutionNode c => [c.Convolution],
        SequenceNode s => s.Steps.SelectMany(Walk),
        ConcatenationNode c => c.Branches.SelectMany(Walk),
        ResidualNode r => Walk(r.Branches).Append(r.Projection),
        _ => [],
    };

    /// <summary>Frees the folded tensors.</summary>
    public void Dispose()
    {
        Stem.Dispose();
        Body.Dispose();
        Head.Dispose();
    }
}
