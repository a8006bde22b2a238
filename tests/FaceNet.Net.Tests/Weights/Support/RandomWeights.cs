using FaceNet.Net.Model;
using FaceNet.Net.Model.Network;
using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>Weights of a randomly initialised network (seeded), with random BatchNorm statistics too, as torch-named tensors.</summary>
internal static class RandomWeights
{
    /// <summary>All float tensors of a seeded random <see cref="InceptionResnetV1"/>; BatchNorm weight stays 1 unless <paramref name="randomGamma"/>.</summary>
    public static WeightSet Create(int embeddingSize, int seed, bool randomGamma = false)
    {
        FaceNetRuntime.EnsureInitialized();
        manual_seed(seed);
        using var network = new InceptionResnetV1(embeddingSize);
        var set = new WeightSet();
        using (no_grad())
        {
            foreach (var (name, tensor) in NetworkShapes.Tensors(network))
            {
                if (name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".bn.bias", StringComparison.Ordinal) || name == "last_bn.bias")
                    tensor.copy_(randn_like(tensor) * 0.1);
                else if (name.EndsWith(".running_var", StringComparison.Ordinal))
                    tensor.copy_(rand_like(tensor) + 0.5);
                else if (randomGamma && name.EndsWith("bn.weight", StringComparison.Ordinal))
                    tensor.copy_(rand_like(tensor) + 0.5);
                set.Add(new TensorData(name, tensor.shape, tensor.data<float>().ToArray()));
            }
        }
        return set;
    }
}
