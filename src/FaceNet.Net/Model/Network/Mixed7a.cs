using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// Reduction-B (Keras <c>Mixed_7a</c>): 1x1→3x3 s2 to 384; 1x1→3x3 s2 to 256; 1x1→3x3→3x3 s2 to 256;
/// 3x3 stride-2 max pool (896); concatenated. Shape: N x 896 x 8 x 8 → N x 1792 x 3 x 3.
/// </summary>
internal sealed class Mixed7a : ReductionBlock
{
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly Sequential branch0;
    private readonly Sequential branch1;
    private readonly Sequential branch2;
    private readonly MaxPool2d branch3;
#pragma warning restore IDE1006

    /// <summary>Creates the block.</summary>
    public Mixed7a() : base(nameof(Mixed7a))
    {
        branch0 = Sequential(new ConvBnRelu(896, 256, 1), new ConvBnRelu(256, 384, 3, stride: 2));
        branch1 = Sequential(new ConvBnRelu(896, 256, 1), new ConvBnRelu(256, 256, 3, stride: 2));
        branch2 = Sequential(
            new ConvBnRelu(896, 256, 1),
            new ConvBnRelu(256, 256, 3, padding: 1),
            new ConvBnRelu(256, 256, 3, stride: 2));
        branch3 = MaxPool2d(3, stride: 2);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<Module<Tensor, Tensor>> Branches => [branch0, branch1, branch2, branch3];
}
