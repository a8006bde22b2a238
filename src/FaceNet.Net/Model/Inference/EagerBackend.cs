using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// The backend that runs anywhere: the folded plan with libtorch's ordinary operators (<see cref="PlainConvolution"/>),
/// on any device and in any precision, channels-last where the plan says. Owns its plan.
/// </summary>
internal sealed class EagerBackend(NetworkPlan plan, int stemChunk) : IInferenceBackend
{
    private readonly PlanInterpreter _interpreter = new(PlainConvolution.Instance, plan.ChannelsLast, stemChunk);

    /// <inheritdoc />
    public string Name => "eager";

    /// <inheritdoc />
    public bool IsPrepared { get; private set; }

    /// <inheritdoc />
    public Tensor Prepare(Tensor sample)
    {
        IsPrepared = true;
        return Forward(sample);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = plan.ChannelsLast ? MemoryLayout.ToChannelsLast(input) : input;
        return _interpreter.Forward(plan, x).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => plan.Dispose();
}
