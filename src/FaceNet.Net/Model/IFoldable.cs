using static TorchSharp.torch;

namespace FaceNet.Net.Model;

/// <summary>A module that can precompute inference-only weights (BatchNorm or a residual scale folded in).</summary>
internal interface IFoldable
{
    /// <summary>Folds this module's own layers (not its children's) for inference in <paramref name="dtype"/>.</summary>
    void Fold(ScalarType dtype);
}

/// <summary>Folding helpers shared by the residual blocks. Stateless, thread-safe.</summary>
internal static class Folding
{
    /// <summary>The 1x1 up-projection with its residual scale folded in: conv(x)·s = conv_{w·s, b·s}(x).</summary>
    public static FoldedConv Scaled(TorchSharp.Modules.Conv2d conv, double scale, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = conv.weight.mul(scale).to(dtype).contiguous().detach();
        var bias = conv.bias!.mul(scale).to(dtype).contiguous().detach();
        return new FoldedConv(weight.MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope(), conv.stride, conv.padding!);
    }
}
