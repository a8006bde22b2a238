using FaceNet.Net.Model.Graph;
using FaceNet.Net.Model.OneDnn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceNet.Net.Model;

/// <summary>
/// FaceNet's Inception-ResNet-v1 (the network of the published Keras weights), as TorchSharp modules.
/// Input N x 3 x 160 x 160 (preprocessed RGB), output N x D raw embeddings (not L2-normalised), D = 128 or 512.
/// Parameter names are facenet-pytorch's (<c>conv2d_1a.conv.weight</c>, <c>repeat_1.0.branch0.bn.running_mean</c>,
/// <c>last_linear.weight</c>, <c>last_bn.bias</c>, ...); <see cref="Weights.KerasWeightMap"/> maps Keras names onto them.
/// Folded for float32 or bfloat16 CPU inference, its first forward pass runs module by module and then compiles everything after
/// the stem into one TorchScript call (<see cref="CompiledNetworkBody"/>), used from the next pass on.
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
    private Tensor? _headWeight;
    private Tensor? _headBias;
    private readonly object _compileGate = new();
    private CompiledNetworkBody? _compiledBody; // set once the first eager pass packed the weights and the compiled body agreed with it
    private bool _compileTried;                 // since the last Fold

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
        eval();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = IsFolded && x.device_type == DeviceType.CPU && StemChunk > 0 && x.shape[0] > StemChunk ? ChunkedStem(x) : Stem(x); // N x 64 x 38 x 38
        bool compilable = IsFolded && !training && x.device_type == DeviceType.CPU && FusedConvolution.Supports(x.dtype)
            && FusedConvolution.IsAvailable && CompiledNetworkBody.Enabled;
        if (compilable && Volatile.Read(ref _compiledBody) is { } compiled) return compiled.Forward(x).MoveToOuterDisposeScope();
        var output = Body(x);
        if (compilable) TryCompileBody(x, output);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Everything after the stem, module by module: N x 64 x 38 x 38 → N x D.</summary>
    private Tensor Body(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = conv2d_3b.forward(x);   // N x 80 x 38 x 38
        x = conv2d_4a.forward(x);   // N x 192 x 36 x 36
        x = conv2d_4b.forward(x);   // N x 256 x 17 x 17
        x = repeat_1.forward(x);    // N x 256 x 17 x 17
        x = mixed_6a.forward(x);    // N x 896 x 8 x 8
        x = repeat_2.forward(x);    // N x 896 x 8 x 8
        x = mixed_7a.forward(x);    // N x 1792 x 3 x 3
        x = repeat_3.forward(x);    // N x 1792 x 3 x 3
        x = block8.forward(x);      // N x 1792 x 3 x 3
        x = avgpool_1a.forward(x);  // N x 1792 x 1 x 1
        x = dropout.forward(x);     // identity in eval mode
        if (_headWeight is not null) return functional.linear(x.flatten(1), _headWeight, _headBias).MoveToOuterDisposeScope(); // N x D, BN folded
        x = last_linear.forward(x.flatten(1)); // N x D
        x = last_bn.forward(x);     // N x D
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Writes <see cref="Body"/> of the folded network as TorchScript (the same operations in the same order).</summary>
    internal string EmitBody(ScriptWriter writer, string x)
    {
        x = conv2d_3b.Emit(writer, x);
        x = conv2d_4a.Emit(writer, x);
        x = conv2d_4b.Emit(writer, x);
        x = writer.Sequence(repeat_1, x);
        x = mixed_6a.Emit(writer, x);
        x = writer.Sequence(repeat_2, x);
        x = mixed_7a.Emit(writer, x);
        x = writer.Sequence(repeat_3, x);
        x = block8.Emit(writer, x);
        return writer.Head(x, "head_weight", "head_bias"); // average pool, flatten, folded bottleneck; dropout is the identity in eval
    }

    /// <summary>
    /// After the first eager pass of a folded float32 or bfloat16 CPU network (which packed every convolution's
    /// weight), compiles the body once (<see cref="CompiledNetworkBody"/>) and keeps it if it gives the eager pass's
    /// values on the same input. Any failure leaves the eager path in use.
    /// </summary>
    private void TryCompileBody(Tensor stemOutput, Tensor eagerOutput)
    {
        lock (_compileGate)
        {
            if (_compileTried) return;
            _compileTried = true;
            CompiledNetworkBody? body = null;
            try
            {
                body = CompiledNetworkBody.TryCompile(EmitBody, _headWeight!, _headBias!);
                if (body is null) return;
                using var check = body.Forward(stemOutput);
                using var difference = check.sub(eagerOutput).abs_().max().to(ScalarType.Float32);
                using var magnitude = eagerOutput.abs().max().to(ScalarType.Float32);
                if (difference.item<float>() <= 1e-4f * Math.Max(1f, magnitude.item<float>()))
                {
                    Volatile.Write(ref _compiledBody, body);
                    body = null;
                }
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidCastException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                // The eager path stays.
            }
            finally
            {
                body?.Dispose();
            }
        }
    }

    /// <summary>True once the folded network runs its body as one TorchScript call (<see cref="CompiledNetworkBody"/>).</summary>
    internal bool UsesCompiledBody => Volatile.Read(ref _compiledBody) is not null;

    /// <summary>
    /// Images per chunk for the stem in folded CPU inference. The stem's maps are large (79², 77², 38²); over a
    /// whole batch of 32 the 77x77x64 output alone is 48 MB, more than the CPU caches, and oneDNN's 32→64 3x3
    /// convolution runs much slower per image there than in chunks. Chunks of 8 keep each chunk's maps near 12 MB;
    /// the rest of the network runs on the whole batch, where larger batches are faster. A batch of 32 took
    /// 354 to 426 ms this way against 471 to 512 ms without chunks on the 2-core build machine (docs/performance.md).
    /// Exact: the stem has no cross-image operation in eval mode. The environment variable <c>FACENET_STEM_CHUNK</c>
    /// overrides it for comparisons (<c>0</c> runs the stem on the whole batch).
    /// </summary>
    internal static int StemChunk { get; } = ReadStemChunk();

    private static int ReadStemChunk() =>
        int.TryParse(Environment.GetEnvironmentVariable("FACENET_STEM_CHUNK"), out var chunk) && chunk >= 0 ? chunk : 8;

    /// <summary>The stem: three convolutions and the first max-pool, N x 3 x 160 x 160 → N x 64 x 38 x 38.</summary>
    private Tensor Stem(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = conv2d_1a.forward(x);   // N x 32 x 79 x 79
        x = conv2d_2a.forward(x);   // N x 32 x 77 x 77
        x = conv2d_2b.forward(x);   // N x 64 x 77 x 77
        x = maxpool_3a.forward(x);  // N x 64 x 38 x 38
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The stem over chunks of <see cref="StemChunk"/> images, concatenated (same values as <see cref="Stem"/>).</summary>
    private Tensor ChunkedStem(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var chunks = new List<Tensor>();
        for (long first = 0; first < n; first += StemChunk)
            chunks.Add(Stem(x.narrow(0, first, Math.Min(StemChunk, n - first))));
        return cat(chunks, 0).MoveToOuterDisposeScope();
    }

    /// <summary>True after <see cref="Fold"/>: the forward pass runs the folded inference weights.</summary>
    public bool IsFolded => _headWeight is not null;

    /// <summary>
    /// Precomputes inference weights in <paramref name="dtype"/> on the network's current device: every
    /// BatchNorm folded into the convolution before it, each residual scale into its 1x1 projection, and the
    /// bottleneck BatchNorm into the Linear (W' = W·s, b' = β − mean·s, s = γ/sqrt(var+eps)). Exact in eval mode
    /// up to float rounding. The registered parameters stay as loaded (training and state dicts are unaffected);
    /// call it after moving the network and after any change to its parameters.
    /// </summary>
    public void Fold(ScalarType dtype)
    {
        lock (_compileGate)
        {
            _compiledBody?.Dispose();
            _compiledBody = null;
            _compileTried = false;
        }
        foreach (var module in modules())
            if (module is IFoldable foldable) foldable.Fold(dtype);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var scale = last_bn.weight!.div((last_bn.running_var! + ConvBnRelu.BatchNormEpsilon).sqrt());
        var weight = last_linear.weight.mul(scale.reshape(-1, 1)).to(dtype).contiguous().detach();
        var bias = (last_bn.bias! - last_bn.running_mean! * scale).to(dtype).contiguous().detach();
        _headWeight?.Dispose();
        _headBias?.Dispose();
        _headWeight = weight.MoveToOuterDisposeScope();
        _headBias = bias.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _headWeight?.Dispose();
            _headBias?.Dispose();
            _compiledBody?.Dispose();
        }
        base.Dispose(disposing);
    }
}
