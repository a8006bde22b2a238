using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model;

/// <summary>
/// Inception-ResNet-B block on the 8x8 grid (Keras <c>Block17_i</c>): branches 1x1 and 1x1→1x7→7x1,
/// concatenated, projected to 896 channels by a 1x1 convolution with bias, then <c>relu(x + scale * up)</c>.
/// Shape: N x 896 x 8 x 8 in and out.
/// </summary>
internal sealed class Block17 : Module<Tensor, Tensor>, IFoldable, Graph.IScriptEmitter
{
    private readonly double _scale;
#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu branch0;
    private readonly Sequential branch1;
    private readonly Conv2d conv2d;
#pragma warning restore IDE1006
    private FoldedConv? _up;

    /// <summary>Creates the block with its residual scale (0.10 in the published network).</summary>
    public Block17(double scale) : base(nameof(Block17))
    {
        _scale = scale;
        branch0 = new ConvBnRelu(896, 128, 1);
        branch1 = Sequential(
            new ConvBnRelu(896, 128, 1),
            new ConvBnRelu(128, 128, (1, 7), padding: (0, 3)),
            new ConvBnRelu(128, 128, (7, 1), padding: (3, 0)));
        conv2d = Conv2d(256, 896, 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branches = cat([branch0.forward(x), branch1.forward(x)], 1); // N x 256 x 8 x 8
        if (_up is not null) return _up.ForwardResidual(branches, x, relu: true).MoveToOuterDisposeScope(); // scale folded in
        var up = conv2d.forward(branches);                                // N x 896 x 8 x 8
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
        writer.Residual(_up, writer.Concatenate(branch0.Emit(writer, x), writer.Sequence(branch1, x)), x, relu: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _up?.Dispose();
        base.Dispose(disposing);
    }
}
