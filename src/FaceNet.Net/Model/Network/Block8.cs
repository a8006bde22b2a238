using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// Inception-ResNet-C block on the 3x3 grid (Keras <c>Block8_i</c>): branches 1x1 and 1x1→1x3→3x1 of 192
/// channels each, concatenated (384), projected back to 1792 channels, then <c>x + scale · up</c> followed by a
/// ReLU, except in the network's last block (<c>Block8_6</c>: scale 1, no ReLU). Shape: N x 1792 x 3 x 3 in and out.
/// </summary>
internal sealed class Block8 : ResidualBlock
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006

    /// <summary>Creates the block with its residual scale (0.20, or 1.0 for the last) and whether a ReLU ends it.</summary>
    public Block8(double scale, bool relu = true) : base(nameof(Block8), scale, relu)
    {
        branch0 = new ConvBnRelu(1792, 192, 1);
        branch1 = Sequential(
            new ConvBnRelu(1792, 192, 1),
            new ConvBnRelu(192, 192, (1, 3), padding: (0, 1)),
            new ConvBnRelu(192, 192, (3, 1), padding: (1, 0)));
        conv2d = Conv2d(384, 1792, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<Module<Tensor, Tensor>> Branches => [branch0, branch1];

    /// <inheritdoc />
    public override Conv2d Projection => conv2d;
}
