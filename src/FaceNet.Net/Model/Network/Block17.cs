using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// Inception-ResNet-B block on the 8x8 grid (Keras <c>Block17_i</c>): branches 1x1 and 1x1→1x7→7x1 of 128
/// channels each, concatenated (256), projected back to 896 channels, then <c>relu(x + scale · up)</c>.
/// Shape: N x 896 x 8 x 8 in and out.
/// </summary>
internal sealed class Block17 : ResidualBlock
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006

    /// <summary>Creates the block with its residual scale (0.10 in the published network).</summary>
    public Block17(double scale) : base(nameof(Block17), scale, relu: true)
    {
        branch0 = new ConvBnRelu(896, 128, 1);
        branch1 = Sequential(
            new ConvBnRelu(896, 128, 1),
            new ConvBnRelu(128, 128, (1, 7), padding: (0, 3)),
            new ConvBnRelu(128, 128, (7, 1), padding: (3, 0)));
        conv2d = Conv2d(256, 896, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<Module<Tensor, Tensor>> Branches => [branch0, branch1];

    /// <inheritdoc />
    public override Conv2d Projection => conv2d;
}
