using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model.Network;

/// <summary>
/// FaceNet's Inception-ResNet-v1 (the network of the published weights), as plain TorchSharp modules.
/// Input N x 3 x 160 x 160 (preprocessed RGB), output N x D raw embeddings (not L2-normalised), D = 128 or 512.
/// Parameter names are facenet-pytorch's (<c>conv2d_1a.conv.weight</c>, <c>repeat_1.0.branch0.bn.running_mean</c>,
/// <c>last_linear.weight</c>, <c>last_bn.bias</c>, ...); <see cref="Weights.KerasWeightMap"/> maps Keras names onto them.
/// This is the network as trained: inference backends (<see cref="Inference.IInferenceBackend"/>) read it as a plan
/// (<see cref="Inference.PlanBuilder"/>) and never change it.
/// </summary>
internal sealed class InceptionResnetV1 : Module<Tensor, Tensor>
{
    /// <summary>Channels after the last Inception-ResNet block (input of the bottleneck).</summary>
    public const int FeatureChannels = 1792;

#pragma warning disable IDE1006 // field names are the state-dict keys
    private readonly ConvBnRelu conv2d_1a;
    private readonly ConvBnRelu conv2d_2a;
    private readonly ConvBnRelu conv2d_2b;
    private readonly MaxPool2d maxpool_3a;
    private readonly ConvBnRelu conv2d_3b;
    private readonly ConvBnRelu conv2d_4a;
    private readonly ConvBnRelu conv2d_4b;
    private readonly Sequential repeat_1;
    private readonly Mixed6a mixed_6a;
    private readonly Sequential repeat_2;
    private readonly Mixed7a mixed_7a;
    private readonly Sequential repeat_3;
    private readonly Block8 block8;
    private readonly AdaptiveAvgPool2d avgpool_1a;
    private readonly Dropout dropout;
    private readonly Linear last_linear;
    private readonly BatchNorm1d last_bn;
#pragma warning restore IDE1006

    /// <summary>The embedding size D (128 or 512 in the published weights).</summary>
    public int EmbeddingSize { get; }

    /// <summary>Creates the network with freshly initialised parameters, in eval mode.</summary>
    public InceptionResnetV1(int embeddingSize = 128) : base(nameof(InceptionResnetV1))
    {
        if (embeddingSize <= 0) throw new ArgumentOutOfRangeException(nameof(embeddingSize), embeddingSize, "the embedding size must be positive");
        EmbeddingSize = embeddingSize;
        conv2d_1a = new ConvBnRelu(3, 32, 3, stride: 2);
        conv2d_2a = new ConvBnRelu(32, 32, 3);
        conv2d_2b = new ConvBnRelu(32, 64, 3, padding: 1);
        maxpool_3a = MaxPool2d(3, stride: 2);
        conv2d_3b = new ConvBnRelu(64, 80, 1);
        conv2d_4a = new ConvBnRelu(80, 192, 3);
        conv2d_4b = new ConvBnRelu(192, 256, 3, stride: 2);
        repeat_1 = Sequential(Enumerable.Range(0, 5).Select(_ => (Module<Tensor, Tensor>)new Block35(0.17)).ToArray());
        mixed_6a = new Mixed6a();
        repeat_2 = Sequential(Enumerable.Range(0, 10).Select(_ => (Module<Tensor, Tensor>)new Block17(0.10)).ToArray());
        mixed_7a = new Mixed7a();
        repeat_3 = Sequential(Enumerable.Range(0, 5).Select(_ => (Module<Tensor, Tensor>)new Block8(0.20)).ToArray());
        block8 = new Block8(1.0, relu: false);
        avgpool_1a = AdaptiveAvgPool2d(1);
        dropout = Dropout(0.2);
        last_linear = Linear(FeatureChannels, embeddingSize, hasBias: false);
        last_bn = BatchNorm1d(embeddingSize, eps: ConvBnRelu.BatchNormEpsilon, momentum: 0.1);
        RegisterComponents();
        Stem =
        [
            conv2d_1a,  // N x 32 x 79 x 79
            conv2d_2a,  // N x 32 x 77 x 77
            conv2d_2b,  // N x 64 x 77 x 77
            maxpool_3a, // N x 64 x 38 x 38
        ];
        Body =
        [
            conv2d_3b,  // N x 80 x 38 x 38
            conv2d_4a,  // N x 192 x 36 x 36
            conv2d_4b,  // N x 256 x 17 x 17
            repeat_1,   // N x 256 x 17 x 17  Inception-ResNet-A x 5
            mixed_6a,   // N x 896 x 8 x 8    Reduction-A
            repeat_2,   // N x 896 x 8 x 8    Inception-ResNet-B x 10
            mixed_7a,   // N x 1792 x 3 x 3   Reduction-B
            repeat_3,   // N x 1792 x 3 x 3   Inception-ResNet-C x 5
            block8,     // N x 1792 x 3 x 3   the last block: scale 1, no ReLU
        ];
        eval();
    }

    /// <summary>The stem, in order: three convolutions and the first max pool (N x 3 x 160 x 160 → N x 64 x 38 x 38).</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Stem { get; }

    /// <summary>The body after the stem, in order, up to the last block (N x 64 x 38 x 38 → N x 1792 x 3 x 3).</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Body { get; }

    /// <summary>The bottleneck: the Linear layer (no bias) after global average pooling.</summary>
    public Linear Bottleneck => last_linear;

    /// <summary>The BatchNorm after the bottleneck.</summary>
    public BatchNorm1d BottleneckNorm => last_bn;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        foreach (var layer in Stem) x = layer.forward(x);
        foreach (var layer in Body) x = layer.forward(x);
        x = avgpool_1a.forward(x);             // N x 1792 x 1 x 1
        x = dropout.forward(x);                // identity in eval mode
        x = last_linear.forward(x.flatten(1)); // N x D
        x = last_bn.forward(x);                // N x D
        return x.MoveToOuterDisposeScope();
    }
}
