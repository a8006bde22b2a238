using FaceNet.Net.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Detection;

/// <summary>
/// Finds and loads the three MTCNN weight files (<c>pnet</c>, <c>rnet</c>, <c>onet</c>) from a folder.
/// Each network is loaded strictly by name: every parameter must be present with its exact shape, and no
/// unknown tensor may be left over, so a wrong or truncated file fails loudly instead of detecting nothing.
/// </summary>
internal static class MtcnnWeights
{
    /// <summary>The file extensions tried, in order, for each network's weights.</summary>
    public static readonly string[] Extensions = [".safetensors", ".pt"];

    /// <summary>The weight file of <paramref name="network"/> (<c>pnet</c>, <c>rnet</c> or <c>onet</c>) in <paramref name="folder"/>.</summary>
    public static string Locate(string folder, string network)
    {
        foreach (var extension in Extensions)
        {
            var candidate = Path.Combine(folder, network + extension);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FaceDetectionException(
            $"No MTCNN weights for {network} in '{folder}': expected {network}.safetensors (or the legacy {network}.pt) beside pnet, rnet and onet.");
    }

    /// <summary>
    /// Reads a weight file: safetensors, or a PyTorch <c>.pt</c> state dict (legacy or zip <c>torch.save</c> format,
    /// through the library's one restricted unpickler, <see cref="Weights.Torch.TorchCheckpoint"/>).
    /// </summary>
    /// <exception cref="FaceDetectionException">The file cannot be read or is not a valid weight file (the inner <see cref="WeightLoadException"/> says why).</exception>
    public static IReadOnlyDictionary<string, TensorData> Read(string path)
    {
        try
        {
            if (path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)) return ReadTorch(path);
            return SafetensorsFile.Read(path).Weights.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is WeightLoadException or IOException or UnauthorizedAccessException)
        {
            throw new FaceDetectionException($"MTCNN weights: {e.Message}", e);
        }
    }

    private static Dictionary<string, TensorData> ReadTorch(string path)
    {
        using var checkpoint = Weights.Torch.TorchCheckpoint.Open(path);
        var tensors = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var (name, tensor) in checkpoint.Entries)
        {
            if (!tensor.Storage.Type.IsFloatingPoint)
                throw new WeightLoadException($"'{path}': tensor '{name}' is {tensor.Storage.Type.DType}; MTCNN's weights are floating point");
            tensors[name] = new TensorData(name, tensor.Shape, checkpoint.ReadValues(tensor));
        }
        return tensors;
    }

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="module"/>'s parameters, by name and shape.</summary>
    /// <exception cref="FaceDetectionException">A parameter is missing or mis-shaped, or a tensor is unexpected (all listed, with the file).</exception>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, TensorData> tensors, string source)
    {
        var expected = module.named_parameters().ToList();
        var mismatch = WeightMismatch.Between(expected.Select(p => (p.name, p.parameter.shape)), tensors.Values.Select(t => (t.Name, t.Shape)));
        if (!mismatch.IsEmpty)
        {
            var error = mismatch.ToException(source, $"MTCNN's {module.GetName()}");
            throw new FaceDetectionException(error.Message, error);
        }
        using var noGrad = no_grad();
        foreach (var (name, parameter) in expected)
        {
            var array = tensors[name];
            using var value = tensor(array.Values, array.Shape, dtype: ScalarType.Float32);
            parameter.copy_(value);
        }
    }
}
