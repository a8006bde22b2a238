using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model;

/// <summary>
/// Inception-ResNet-C block on the 3x3 grid (Keras <c>Block8_i</c>): branches 1x1 and 1x1→1x3→3x1,
/// concatenated, projected to 1792 channels by a 1x1 convolution with bias, then <c>x + scale * up</c>
/// followed by ReLU, except in the last block (<c>Block8_6</c>: scale 1, no ReLU).
/// Shape: N x 1792 x 3 x 3 in and out.
/// </summary>
internal sealed class Block8 : Module<Tensor, Tensor>, IFoldable, Graph.IScriptEmitter
{
    private readonly double _scale;
    private readonly bool _relu;
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006
    private FoldedConv? _up;

    /// <summary>Creates the block with its residual scale (0.20, or 1.0 for the last) and whether a ReLU ends it.</summary>
    public Block8(double scale, bool relu = true) : base(nameof(Block8))
    {
        _scale = scale;
        _relu = relu;
        branch0 = new ConvBnRelu(1792, 192, 1);
        branch1 = Sequential(
            new ConvBnRelu(1792, 192, 1),
            new ConvBnRelu(192, 192, (1, 3), padding: (0, 1)),
            new ConvBnRelu(192, 192, (3, 1), padding: (1, 0)));
        conv2d = Conv2d(384, 1792, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branches = cat([branch0.forward(x), branch1.forward(x)], 1); // N x 384 x 3 x 3
        if (_up is not null) return _up.ForwardResidual(branches, x, _relu).MoveToOuterDisposeScope(); // scale folded in
        var up = conv2d.forward(branches);                                // N x 1792 x 3 x 3
        var sum = x + up * _scale;
        return (_relu ? functional.relu(sum) : sum).MoveToOuterDisposeScope();
    }

    /// <summary>Folds the residual scale into the 1x1 projection for inference (the branches fold themselves).</summary>
    public void Fold(ScalarType dtype)
    {
        _up?.Dispose();
        _up = Folding.Scaled(conv2d, _scale, dtype);
    }

    /// <inheritdoc />
    public string Emit(Graph.ScriptWriter writer, string x) =>
        writer.Residual(_up, writer.Concatenate(branch0.Emit(writer, x), writer.Sequence(branch1, x)), x, _relu);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _up?.Dispose();
        base.Dispose(disposing);
    }
}
