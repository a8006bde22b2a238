using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// The shape shared by the Inception-ResNet blocks A, B and C (<see cref="Block35"/>, <see cref="Block17"/>,
/// <see cref="Block8"/>): parallel branches on the input, concatenated along the channels, projected back to the
/// input's channel count by a 1x1 convolution with bias (<c>conv2d</c>), scaled, added to the input, then a ReLU
/// (all but the network's very last block): <c>relu(x + scale · conv2d(cat(branches(x))))</c>.
/// A subclass declares its branches and projection as fields named as the state dict names them.
/// </summary>
internal abstract class ResidualBlock : Module<Tensor, Tensor>
{
    /// <summary>Creates the block with its residual scale and whether a ReLU ends it.</summary>
    protected ResidualBlock(string name, double scale, bool relu) : base(name)
    {
        Scale = scale;
        Relu = relu;
    }

    /// <summary>The residual scale (0.17, 0.10 or 0.20 in the published network; 1.0 for the last block).</summary>
    public double Scale { get; }

    /// <summary>Whether a ReLU follows the residual sum.</summary>
    public bool Relu { get; }

    /// <summary>The branches, in concatenation order.</summary>
    public abstract IReadOnlyList<Module<Tensor, Tensor>> Branches { get; }

    /// <summary>The 1x1 projection (with bias) from the concatenated branches back to the input's channels.</summary>
    public abstract Conv2d Projection { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branches = cat(Branches.Select(branch => branch.forward(x)).ToList(), 1);
        var sum = x + Projection.forward(branches) * Scale;
        return (Relu ? functional.relu(sum) : sum).MoveToOuterDisposeScope();
    }
}
