using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// The shape shared by the reduction blocks (<see cref="Mixed6a"/>, <see cref="Mixed7a"/>): parallel stride-2
/// branches on the input (convolutions and a 3x3 max pool), concatenated along the channels.
/// A subclass declares its branches as fields named as the state dict names them.
/// </summary>
internal abstract class ReductionBlock : Module<Tensor, Tensor>
{
    /// <summary>Creates the block.</summary>
    protected ReductionBlock(string name) : base(name) { }

    /// <summary>The branches, in concatenation order.</summary>
    public abstract IReadOnlyList<Module<Tensor, Tensor>> Branches { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return cat(Branches.Select(branch => branch.forward(x)).ToList(), 1).MoveToOuterDisposeScope();
    }
}
