using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>
/// MTCNN proposal network (P-Net): a fully convolutional net that scores every 12x12 window of an image
/// (stride 2) as face / not face and regresses a box correction for it. Field names are the state-dict
/// names (<c>conv1.weight</c>, <c>prelu1.weight</c>, ..., <c>conv4_1</c>, <c>conv4_2</c>).
/// </summary>
/// <remarks>Not thread-safe: <see cref="MtcnnFaceDetector"/> serialises calls.</remarks>
internal sealed class PNet : nn.Module<Tensor, (Tensor Regression, Tensor Probability)>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 10, 3);
    private readonly PReLU prelu1 = nn.PReLU(10);
    private readonly MaxPool2d pool1 = nn.MaxPool2d(2, 2, ceil_mode: true);
    private readonly Conv2d conv2 = nn.Conv2d(10, 16, 3);
    private readonly PReLU prelu2 = nn.PReLU(16);
    private readonly Conv2d conv3 = nn.Conv2d(16, 32, 3);
    private readonly PReLU prelu3 = nn.PReLU(32);
    private readonly Conv2d conv4_1 = nn.Conv2d(32, 2, 1);
    private readonly Conv2d conv4_2 = nn.Conv2d(32, 4, 1);

    public PNet() : base(nameof(PNet)) => RegisterComponents();

    /// <summary>Input N x 3 x H x W (scaled pixels); outputs N x 4 x H' x W' regression and N x 2 x H' x W' softmax.</summary>
    public override (Tensor Regression, Tensor Probability) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = prelu1.call(conv1.call(input));       // N x 10 x H-2 x W-2
        x = pool1.call(x);                             // N x 10 x ceil((H-2)/2) x ...
        x = prelu2.call(conv2.call(x));                // N x 16
        x = prelu3.call(conv3.call(x));                // N x 32 x H' x W'
        var probability = softmax(conv4_1.call(x), 1); // N x 2 x H' x W'
        var regression = conv4_2.call(x);              // N x 4 x H' x W'
        return (regression.MoveToOuterDisposeScope(), probability.MoveToOuterDisposeScope());
    }
}
