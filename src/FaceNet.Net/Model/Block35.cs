using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model;

/// <summary>
/// Inception-ResNet-A block on the 17x17 grid (Keras <c>Block35_i</c>): three branches (1x1; 1x1→3x3;
/// 1x1→3x3→3x3), concatenated, projected back to 256 channels by a 1x1 convolution with bias, then
/// <c>relu(x + scale * up)</c>. Shape: N x 256 x 17 x 17 in and out.
/// </summary>
internal sealed class Block35 : Module<Tensor, Tensor>, IFoldable, Graph.IScriptEmitter
{
    private readonly double _scale;
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Sequential branch2;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006
    private FoldedConv? _up;

    /// <summary>Creates the block with its residual scale (0.17 in the published network).</summary>
    public Block35(double scale) : base(nameof(Block35))
    {
        _scale = scale;
        branch0 = new ConvBnRelu(256, 32, 1);
        branch1 = Sequential(new ConvBnRelu(256, 32, 1), new ConvBnRelu(32, 32, 3, padding: 1));
        branch2 = Sequential(new ConvBnRelu(256, 32, 1), new ConvBnRelu(32, 32, 3, padding: 1), new ConvBnRelu(32, 32, 3, padding: 1));
        conv2d = Conv2d(96, 256, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branches = cat([branch0.forward(x), branch1.forward(x), branch2.forward(x)], 1); // N x 96 x 17 x 17
        if (_up is not null) return _up.ForwardResidual(branches, x, relu: true).MoveToOuterDisposeScope(); // scale folded in
        var up = conv2d.forward(branches);                                                     // N x 256 x 17 x 17
        return functional.relu(x + up * _scale).MoveToOuterDisposeScope();
    }

    /// <summary>Folds the residual scale into the 1x1 projection for inference (the branches fold themselves).</summary>
    public void Fold(ScalarType dtype)
    {
        _up?.Dispose();
        _up = Folding.Scaled(conv2d, _scale, dtype);
    }

    /// <inheritdoc />
    public string Emit(Graph.ScriptWriter writer, string x) =>
        writer.Residual(_up, writer.Concatenate(branch0.Emit(writer, x), writer.Sequence(branch1, x), writer.Sequence(branch2, x)), x, relu: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _up?.Dispose();
        base.Dispose(disposing);
    }
}
