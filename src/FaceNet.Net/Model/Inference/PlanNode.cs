using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// One step of a <see cref="NetworkPlan"/>: the network's inference forward pass as data, folded for inference
/// (BatchNorm and residual scales already in the convolution weights). Backends walk it: the eager one runs it with
/// TorchSharp calls (<see cref="PlanInterpreter"/>), the oneDNN one also writes it as TorchScript. A node owns the
/// tensors it holds.
/// </summary>
internal abstract record PlanNode : IDisposable
{
    /// <summary>Frees the node's tensors and its children's.</summary>
    public virtual void Dispose() { }
}

/// <summary>A convolution with its folded weights, then a ReLU when <see cref="Relu"/>.</summary>
internal sealed record ConvolutionNode(FoldedConvolution Convolution, bool Relu) : PlanNode
{
    /// <inheritdoc />
    public override void Dispose() => Convolution.Dispose();
}

/// <summary>A max pool without padding.</summary>
internal sealed record MaxPoolNode(long Kernel, long Stride) : PlanNode;

/// <summary>Steps one after the other.</summary>
internal sealed record SequenceNode(IReadOnlyList<PlanNode> Steps) : PlanNode
{
    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (var step in Steps) step.Dispose();
    }
}

/// <summary>Branches on the same input, concatenated along the channels.</summary>
internal sealed record ConcatenationNode(IReadOnlyList<PlanNode> Branches) : PlanNode
{
    /// <inheritdoc />
    public override void Dispose()
    {
        foreach (var branch in Branches) branch.Dispose();
    }
}

/// <summary>
/// The residual connection of the Inception-ResNet blocks: <c>x + projection(branches(x))</c> (the scale is folded
/// into the projection), then a ReLU when <see cref="Relu"/>.
/// </summary>
internal sealed record ResidualNode(ConcatenationNode Branches, FoldedConvolution Projection, bool Relu) : PlanNode
{
    /// <inheritdoc />
    public override void Dispose()
    {
        Branches.Dispose();
        Projection.Dispose();
    }
}

/// <summary>The head: global average pooling, flattening and the bottleneck with its BatchNorm folded in (N x D out).</summary>
internal sealed record HeadNode(Tensor Weight, Tensor Bias) : PlanNode
{
    /// <inheritdoc />
    public override void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
