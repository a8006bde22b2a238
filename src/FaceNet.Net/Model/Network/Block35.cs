using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// Inception-ResNet-A block on the 17x17 grid (Keras <c>Block35_i</c>): three branches (1x1; 1x1→3x3;
/// 1x1→3x3→3x3) of 32 channels each, concatenated (96), projected back to 256 channels, then
/// <c>relu(x + scale · up)</c>. Shape: N x 256 x 17 x 17 in and out.
/// </summary>
internal sealed class Block35 : ResidualBlock
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Sequential branch2;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006

    /// <summary>Creates the block with its residual scale (0.17 in the published network).</summary>
    public Block35(double scale) : base(nameof(Block35), scale, relu: true)
    {
        branch0 = new ConvBnRelu(256, 32, 1);
        branch1 = Sequential(new ConvBnRelu(256, 32, 1), new ConvBnRelu(32, 32, 3, padding: 1));
        branch2 = Sequential(new ConvBnRelu(256, 32, 1), new ConvBnRelu(32, 32, 3, padding: 1), new ConvBnRelu(32, 32, 3, padding: 1));
        conv2d = Conv2d(96, 256, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<Module<Tensor, Tensor>> Branches => [branch0, branch1, branch2];

    /// <inheritdoc />
    public override Conv2d Projection => conv2d;
}
