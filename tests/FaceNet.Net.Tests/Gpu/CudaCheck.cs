using FaceNet.Net.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Gpu;

/// <summary>Shared pieces of the CUDA tests: the skip rule, cuDNN's TF32 switch, and embedding comparisons.</summary>
internal static class CudaCheck
{
    /// <summary>Ignores the calling test (or fixture) with the reason when no CUDA device can be used.</summary>
    public static void RequireCuda()
    {
        if (!CudaDevices.IsAvailable)
            Assert.Ignore("CUDA is not available here (no TorchSharp CUDA backend or no GPU): the CUDA path is checked on a GPU machine " +
                "with `dotnet test --filter TestCategory=Gpu` (docs/gpu.md).");
    }

    /// <summary>
    /// Runs <paramref name="body"/> with cuDNN's and cuBLAS's TF32 switches set to <paramref name="allowTf32"/>, then
    /// restores them (they are process-wide libtorch settings).
    /// </summary>
    public static T WithTf32<T>(bool allowTf32, Func<T> body)
    {
        bool cudnn = torch.backends.cudnn.allow_tf32, cublas = torch.backends.cuda.matmul.allow_tf32;
        torch.backends.cudnn.allow_tf32 = allowTf32;
        torch.backends.cuda.matmul.allow_tf32 = allowTf32;
        try
        {
            return body();
        }
        finally
        {
            torch.backends.cudnn.allow_tf32 = cudnn;
            torch.backends.cuda.matmul.allow_tf32 = cublas;
        }
    }

    /// <summary>How far two batches of raw embeddings are apart once each row is L2-normalised.</summary>
    public static Agreement Compare(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        var e = nn.functional.normalize(expected.to(float64), p: 2, dim: 1);
        var a = nn.functional.normalize(actual.to(CPU).to(float64), p: 2, dim: 1);
        double maxAbs = (e - a).abs().max().item<double>();
        double minCosine = (e * a).sum(1).min().item<double>();
        bool finite = actual.isfinite().all().item<bool>();
        return new Agreement(maxAbs, minCosine, finite);
    }

    /// <summary>The largest absolute difference of unit-length embeddings, the smallest cosine similarity, and whether every value was finite.</summary>
    public readonly record struct Agreement(double MaxAbsDifference, double MinCosine, bool Finite)
    {
        /// <inheritdoc />
        public override string ToString() => $"max |unit difference| {MaxAbsDifference:E2}, min cosine {MinCosine:F6}, finite {Finite}";
    }
}
