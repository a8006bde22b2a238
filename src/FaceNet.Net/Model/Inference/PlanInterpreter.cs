using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Runs a <see cref="NetworkPlan"/> node by node with TorchSharp calls, each convolution through the backend's
/// <see cref="IConvolutionKernel"/>. The stem runs in chunks of <c>stemChunk</c> images on the CPU (see
/// <see cref="InferenceSettings.StemChunk"/>); everything else on the whole batch. Holds no state of its own; as
/// thread-safe as its kernel.
/// </summary>
/// <param name="kernel">How convolutions run.</param>
/// <param name="channelsLast">Whether the plan runs channels-last (outputs cut back from padded channels are made dense channels-last again).</param>
/// <param name="stemChunk">Images per stem chunk on the CPU; 0 for the whole batch.</param>
internal sealed class PlanInterpreter(IConvolutionKernel kernel, bool channelsLast, int stemChunk)
{
    /// <summary>The stem's output for <paramref name="input"/> (N x 3 x H x W in the plan's type, layout and device).</summary>
    public Tensor RunStem(NetworkPlan plan, Tensor input)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0];
        if (stemChunk <= 0 || n <= stemChunk || input.device_type != TorchSharp.DeviceType.CPU)
            return Run(plan.Stem, input).MoveToOuterDisposeScope();
        // Exact: the stem has no cross-image operation in eval mode.
        var chunks = new List<Tensor>();
        for (long first = 0; first < n; first += stemChunk)
            chunks.Add(Run(plan.Stem, input.narrow(0, first, Math.Min(stemChunk, n - first))));
        return cat(chunks, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The body and head applied to the stem's output: the N x D raw embeddings.</summary>
    public Tensor RunBodyAndHead(NetworkPlan plan, Tensor stemOutput)
    {
        using var scope = NewDisposeScope();
        var x = Run(plan.Body, stemOutput);
        return RunHead(plan.Head, x).MoveToOuterDisposeScope();
    }

    /// <summary>The whole pass: N x 3 x H x W → N x D.</summary>
    public Tensor Forward(NetworkPlan plan, Tensor input)
    {
        using var scope = NewDisposeScope();
        return RunBodyAndHead(plan, RunStem(plan, input)).MoveToOuterDisposeScope();
    }

    /// <summary>One node (and its children) applied to <paramref name="x"/>; intermediate tensors land in the caller's dispose scope.</summary>
    public Tensor Run(PlanNode node, Tensor x) => node switch
    {
        ConvolutionNode c => Convolve(c.Convolution, x, c.Relu),
        MaxPoolNode p => nn.functional.max_pool2d(x, [p.Kernel, p.Kernel], [p.Stride, p.Stride]),
        SequenceNode s => s.Steps.Aggregate(x, (input, step) => Run(step, input)),
        ConcatenationNode c => cat(c.Branches.Select(branch => Run(branch, x)).ToList(), 1),
        ResidualNode r => Residual(r, x),
        _ => throw new NotSupportedException($"no case for {node.GetType().Name}"),
    };

    // x + projection(branches(x)), then a ReLU; the scale is in the projection's weights.
    private Tensor Residual(ResidualNode node, Tensor x)
    {
        var sum = Convolve(node.Projection, Run(node.Branches, x), relu: false).add_(x);
        return node.Relu ? sum.relu_() : sum;
    }

    private Tensor Convolve(FoldedConvolution convolution, Tensor x, bool relu)
    {
        var output = kernel.Run(convolution, x, relu);
        if (convolution.ComputedOutputChannels == convolution.OutputChannels) return output;
        var kept = output.narrow(1, 0, convolution.OutputChannels);
        return channelsLast ? MemoryLayout.ToChannelsLast(kept) : kept.contiguous();
    }

    private static Tensor RunHead(HeadNode head, Tensor x)
    {
        var pooled = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        return nn.functional.linear(pooled, head.Weight, head.Bias);
    }
}
