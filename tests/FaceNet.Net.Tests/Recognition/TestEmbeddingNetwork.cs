using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using TorchSharp;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>
/// A small fixed network behind the encoder seam: conv 3→8 (5x5, stride 4) → ReLU → 4x4 average pool →
/// linear 128→D. Weights come from a seeded <see cref="Random"/>, so two instances with the same seed are the
/// same network (same fingerprint), and different seeds give different networks.
/// </summary>
internal sealed class TestEmbeddingNetwork : IEmbeddingNetwork
{
    private readonly torch.Tensor _conv;
    private readonly torch.Tensor _linear;

    public TestEmbeddingNetwork(int seed = 1, int embeddingSize = 128, PreprocessingMode? expected = null)
    {
        FaceNetRuntime.EnsureInitialized();
        var random = new Random(seed);
        _conv = torch.tensor(Values(random, 8 * 3 * 5 * 5, 0.2), [8, 3, 5, 5]);
        _linear = torch.tensor(Values(random, embeddingSize * 128, 0.3), [embeddingSize, 128]);
        EmbeddingSize = embeddingSize;
        Fingerprint = $"test-network-{seed}-{embeddingSize}";
        ExpectedPreprocessing = expected;
    }

    public int EmbeddingSize { get; }

    public string Fingerprint { get; }

    public PreprocessingMode? ExpectedPreprocessing { get; }

    /// <summary>How many times <see cref="Forward"/> ran (to check batching).</summary>
    public int ForwardCalls => _forwardCalls;

    private int _forwardCalls;

    public torch.Tensor Forward(torch.Tensor nchwBatch)
    {
        Interlocked.Increment(ref _forwardCalls);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.nn.functional.conv2d(nchwBatch, _conv, strides: [4, 4]).relu();  // N x 8 x 39 x 39
        x = torch.nn.functional.adaptive_avg_pool2d(x, [4, 4]).flatten(1);           // N x 128
        return x.matmul(_linear.t()).MoveToOuterDisposeScope();                       // N x D
    }

    public void Dispose()
    {
        _conv.Dispose();
        _linear.Dispose();
    }

    private static float[] Values(Random random, int count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }
}
