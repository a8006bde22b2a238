namespace FaceNet.Net.Model;

/// <summary>Which inference backend a <see cref="FaceNetModel"/> runs. The embeddings agree across backends within float rounding.</summary>
public enum InferenceBackend
{
    /// <summary>
    /// The fastest backend that is verified here: on the CPU in float32 or bfloat16, oneDNN's fused convolutions with
    /// the network body compiled into one TorchScript call, where the loaded libtorch is a version this library was
    /// verified with and a load-time probe passes; everywhere else <see cref="Eager"/>. A fallback is logged once,
    /// with its reason.
    /// </summary>
    Auto = 0,

    /// <summary>The folded network (BatchNorm and residual scales in the weights) run with libtorch's ordinary operators: any device, any precision.</summary>
    Eager = 1,

    /// <summary>The network's modules as written, BatchNorm unfolded, float32 only: the slow reference, for comparisons.</summary>
    Unfolded = 2,
}
