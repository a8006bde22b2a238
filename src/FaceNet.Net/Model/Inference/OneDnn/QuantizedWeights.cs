using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// The int8 form of a plan's body convolutions (<see cref="QuantizedConvolution"/>): for each, the packed int8 weight
/// and its per-channel scales, packed for the input shape the float32 weight was packed for (<see cref="FusedKernel.PackedFor"/>).
/// The stem keeps its float32 weights. Owns its tensors. Not thread-safe to make; read-only afterwards.
/// </summary>
internal sealed class QuantizedWeights : IDisposable
{
    private readonly Dictionary<FoldedConvolution, (Tensor Packed, Tensor Scales)> _weights = new(ReferenceEqualityComparer.Instance);

    private QuantizedWeights() { }

    /// <summary>The packed int8 weight and the scales of one of the body's convolutions.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="convolution"/> is not in the body these weights were made for.</exception>
    public (Tensor Packed, Tensor Scales) this[FoldedConvolution convolution] => _weights[convolution];

    /// <summary>
    /// Quantizes and packs every convolution of <paramref name="plan"/>'s body. Each float32 weight must already be
    /// packed by <paramref name="kernel"/> (the backend's module-by-module pass did it); it is read back unchanged.
    /// </summary>
    public static QuantizedWeights Create(NetworkPlan plan, FusedKernel kernel)
    {
        var weights = new QuantizedWeights();
        try
        {
            foreach (var convolution in plan.BodyConvolutions())
            {
                using var scope = NewDisposeScope();
                var plain = FusedConvolution.Unpack(convolution.Weight);
                var (packed, scales) = QuantizedConvolution.Pack(plain, convolution.Stride, convolution.Padding, kernel.PackedFor(convolution));
                weights._weights.Add(convolution, (packed.DetachFromDisposeScope(), scales.DetachFromDisposeScope()));
            }
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Frees the packed weights and scales.</summary>
    public void Dispose()
    {
        foreach (var (packed, scales) in _weights.Values)
        {
            packed.Dispose();
            scales.Dispose();
        }
        _weights.Clear();
    }
}
