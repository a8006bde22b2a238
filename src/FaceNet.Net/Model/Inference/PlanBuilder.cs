using FaceNet.Net.Model.Network;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Folding as one pass over the module tree: walks <see cref="InceptionResnetV1"/> and writes its inference forward
/// pass as a <see cref="NetworkPlan"/>, with every BatchNorm folded into the convolution before it
/// (w' = w·s, b' = β − mean·s, s = γ/sqrt(var+eps)), each residual scale into its 1x1 projection, and the bottleneck
/// BatchNorm into the Linear. Exact in eval mode up to float rounding. The network is only read. One case per kind
/// of module: a new block made of the same parts needs no change here. Stateless, thread-safe.
/// </summary>
internal static class PlanBuilder
{
    /// <summary>The plan of <paramref name="network"/> (on its device) in <paramref name="dtype"/>.</summary>
    /// <param name="network">The network with its weights, on the device the plan is for.</param>
    /// <param name="dtype">The type of the folded weights.</param>
    /// <param name="channelsLast">Lay 4-d weights out channels-last.</param>
    /// <param name="padPointwise">Pad 1x1 convolutions' output channels as <see cref="PointwiseConvPadding"/> says.</param>
    public static NetworkPlan Build(InceptionResnetV1 network, ScalarType dtype, bool channelsLast, bool padPointwise)
    {
        using var noGrad = no_grad();
        var walker = new Walker(dtype, channelsLast, padPointwise);
        var stem = walker.Sequence(network.Stem);
        var body = walker.Sequence(network.Body);
        var head = walker.Head(network.Bottleneck, network.BottleneckNorm);
        var device = network.Bottleneck.weight!.device;
        return new NetworkPlan(stem, body, head, dtype, device, channelsLast);
    }

    private sealed class Walker(ScalarType dtype, bool channelsLast, bool padPointwise)
    {
        public PlanNode Node(Module<Tensor, Tensor> module) => module switch
        {
            ConvBnRelu unit => new ConvolutionNode(Fold(unit), Relu: true),
            Sequential sequence => Sequence(sequence.children().Cast<Module<Tensor, Tensor>>().ToList()),
            MaxPool2d pool => new MaxPoolNode(pool.kernel_size[0], (pool.stride ?? pool.kernel_size)[0]),
            ResidualBlock block => new ResidualNode(Branches(block.Branches), Scaled(block.Projection, block.Scale), block.Relu),
            ReductionBlock block => Branches(block.Branches),
            _ => throw new NotSupportedException($"the inference plan has no case for {module.GetType().Name}"),
        };

        public SequenceNode Sequence(IReadOnlyList<Module<Tensor, Tensor>> modules) => new(modules.Select(Node).ToList());

        private ConcatenationNode Branches(IReadOnlyList<Module<Tensor, Tensor>> branches) => new(branches.Select(Node).ToList());

        // BatchNorm folded into the convolution before it.
        private FoldedConvolution Fold(ConvBnRelu unit)
        {
            using var scope = NewDisposeScope();
            var bn = unit.Norm;
            var scale = bn.weight!.div((bn.running_var! + ConvBnRelu.BatchNormEpsilon).sqrt());  // C
            var weight = unit.Convolution.weight!.mul(scale.reshape(-1, 1, 1, 1));
            var bias = bn.bias! - bn.running_mean! * scale;
            return Make(weight, bias, unit.Convolution);
        }

        // The residual scale folded into the 1x1 projection: conv(x)·s = conv_{w·s, b·s}(x).
        private FoldedConvolution Scaled(Conv2d projection, double scale)
        {
            using var scope = NewDisposeScope();
            return Make(projection.weight!.mul(scale), projection.bias!.mul(scale), projection);
        }

        private FoldedConvolution Make(Tensor weight, Tensor bias, Conv2d convolution) =>
            FoldedConvolution.Create(weight, bias, convolution.stride, convolution.padding!, dtype, channelsLast, padPointwise);

        // The bottleneck BatchNorm folded into the Linear: W' = W·s (per row), b' = β − mean·s.
        public HeadNode Head(Linear linear, BatchNorm1d bn)
        {
            using var scope = NewDisposeScope();
            var scale = bn.weight!.div((bn.running_var! + ConvBnRelu.BatchNormEpsilon).sqrt());
            var weight = linear.weight!.mul(scale.reshape(-1, 1)).to(dtype).contiguous().detach();
            var bias = (bn.bias! - bn.running_mean! * scale).to(dtype).contiguous().detach();
            return new HeadNode(weight.DetachFromDisposeScope(), bias.DetachFromDisposeScope());
        }
    }
}
