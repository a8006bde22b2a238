using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>
/// MTCNN refinement network (R-Net): scores 24x24 candidate crops and regresses box corrections. Field
/// names are the state-dict names (<c>conv1</c>..<c>conv3</c>, <c>prelu1</c>..<c>prelu4</c>, <c>dense4</c>,
/// <c>dense5_1</c> face probability, <c>dense5_2</c> box).
/// </summary>
/// <remarks>Not thread-safe: <see cref="MtcnnFaceDetector"/> serialises calls.</remarks>
internal sealed class RNet : nn.Module<Tensor, (Tensor Regression, Tensor Probability)>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 28, 3);
    private readonly PReLU prelu1 = nn.PReLU(28);
    private readonly MaxPool2d pool1 = nn.MaxPool2d(3, 2, ceil_mode: true);
    private readonly Conv2d conv2 = nn.Conv2d(28, 48, 3);
    private readonly PReLU prelu2 = nn.PReLU(48);
    private readonly MaxPool2d pool2 = nn.MaxPool2d(3, 2, ceil_mode: true);
    private readonly Conv2d conv3 = nn.Conv2d(48, 64, 2);
    private readonly PReLU prelu3 = nn.PReLU(64);
    private readonly Linear dense4 = nn.Linear(576, 128);
    private readonly PReLU prelu4 = nn.PReLU(128);
    private readonly Linear dense5_1 = nn.Linear(128, 2);
    private readonly Linear dense5_2 = nn.Linear(128, 4);

    public RNet() : base(nameof(RNet)) => RegisterComponents();

    /// <summary>Input N x 3 x 24 x 24 (scaled pixels); outputs N x 4 regression and N x 2 softmax.</summary>
    public override (Tensor Regression, Tensor Probability) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool1.call(prelu1.call(conv1.call(input))); // N x 28 x 11 x 11
        x = pool2.call(prelu2.call(conv2.call(x)));         // N x 48 x 4 x 4
        x = prelu3.call(conv3.call(x));                      // N x 64 x 3 x 3
        // The weights come from a Caffe/TF layout: flatten in (N, W, H, C) order.
        x = x.permute(0, 3, 2, 1).contiguous().flatten(1);   // N x 576
        x = prelu4.call(dense4.call(x));                     // N x 128
        var probability = softmax(dense5_1.call(x), 1);      // N x 2
        var regression = dense5_2.call(x);                   // N x 4
        return (regression.MoveToOuterDisposeScope(), probability.MoveToOuterDisposeScope());
    }
}
