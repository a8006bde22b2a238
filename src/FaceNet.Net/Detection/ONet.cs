using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>
/// MTCNN output network (O-Net): scores 48x48 crops, regresses the final box and five landmarks. Field
/// names are the state-dict names (<c>conv1</c>..<c>conv4</c>, <c>prelu1</c>..<c>prelu5</c>, <c>dense5</c>,
/// <c>dense6_1</c> face probability, <c>dense6_2</c> box, <c>dense6_3</c> landmarks).
/// </summary>
/// <remarks>Not thread-safe: <see cref="MtcnnFaceDetector"/> serialises calls.</remarks>
internal sealed class ONet : nn.Module<Tensor, (Tensor Regression, Tensor Landmarks, Tensor Probability)>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 32, 3);
    private readonly PReLU prelu1 = nn.PReLU(32);
    private readonly MaxPool2d pool1 = nn.MaxPool2d(3, 2, ceil_mode: true);
    private readonly Conv2d conv2 = nn.Conv2d(32, 64, 3);
    private readonly PReLU prelu2 = nn.PReLU(64);
    private readonly MaxPool2d pool2 = nn.MaxPool2d(3, 2, ceil_mode: true);
    private readonly Conv2d conv3 = nn.Conv2d(64, 64, 3);
    private readonly PReLU prelu3 = nn.PReLU(64);
    private readonly MaxPool2d pool3 = nn.MaxPool2d(2, 2, ceil_mode: true);
    private readonly Conv2d conv4 = nn.Conv2d(64, 128, 2);
    private readonly PReLU prelu4 = nn.PReLU(128);
    private readonly Linear dense5 = nn.Linear(1152, 256);
    private readonly PReLU prelu5 = nn.PReLU(256);
    private readonly Linear dense6_1 = nn.Linear(256, 2);
    private readonly Linear dense6_2 = nn.Linear(256, 4);
    private readonly Linear dense6_3 = nn.Linear(256, 10);

    public ONet() : base(nameof(ONet)) => RegisterComponents();

    /// <summary>Input N x 3 x 48 x 48 (scaled pixels); outputs N x 4 regression, N x 10 landmarks (5 x then 5 y), N x 2 softmax.</summary>
    public override (Tensor Regression, Tensor Landmarks, Tensor Probability) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool1.call(prelu1.call(conv1.call(input))); // N x 32 x 23 x 23
        x = pool2.call(prelu2.call(conv2.call(x)));         // N x 64 x 10 x 10
        x = pool3.call(prelu3.call(conv3.call(x)));         // N x 64 x 4 x 4
        x = prelu4.call(conv4.call(x));                      // N x 128 x 3 x 3
        // The weights come from a Caffe/TF layout: flatten in (N, W, H, C) order.
        x = x.permute(0, 3, 2, 1).contiguous().flatten(1);   // N x 1152
        x = prelu5.call(dense5.call(x));                     // N x 256
        var probability = softmax(dense6_1.call(x), 1);      // N x 2
        var regression = dense6_2.call(x);                   // N x 4
        var landmarks = dense6_3.call(x);                    // N x 10
        return (regression.MoveToOuterDisposeScope(), landmarks.MoveToOuterDisposeScope(), probability.MoveToOuterDisposeScope());
    }
}
