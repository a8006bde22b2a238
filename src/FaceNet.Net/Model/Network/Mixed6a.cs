using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// Reduction-A (Keras <c>Mixed_6a</c>): 3x3 stride-2 conv to 384; 1x1→3x3→3x3 stride-2 to 256; 3x3
/// stride-2 max pool (256); concatenated. Shape: N x 256 x 17 x 17 → N x 896 x 8 x 8.
/// </summary>
internal sealed class Mixed6a : ReductionBlock
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly MaxPool2d branch2;
#pragma warning restore IDE1006

    /// <summary>Creates the block.</summary>
    public Mixed6a() : base(nameof(Mixed6a))
    {
        branch0 = new ConvBnRelu(256, 384, 3, stride: 2);
        branch1 = Sequential(
            new ConvBnRelu(256, 192, 1),
            new ConvBnRelu(192, 192, 3, padding: 1),
            new ConvBnRelu(192, 256, 3, stride: 2));
        branch2 = MaxPool2d(3, stride: 2);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<Module<Tensor, Tensor>> Branches => [branch0, branch1, branch2];
}
