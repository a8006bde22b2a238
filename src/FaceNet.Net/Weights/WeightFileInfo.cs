namespace FaceNet.Net.Weights;

/// <summary>What <see cref="FaceNetWeights.Inspect"/> found in a weight file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Format">Keras HDF5 or safetensors.</param>
/// <param name="Layout">For Keras files, where the weights sit ("save_weights (weights at the root)" or "full model (model_weights group)"); "safetensors" otherwise.</param>
/// <param name="KerasVersion">The <c>keras_version</c> attribute, when present.</param>
/// <param name="Backend">The <c>backend</c> attribute, when present.</param>
/// <param name="LayerCount">Layers listed in the file (weightless ones included); for safetensors, 0.</param>
/// <param name="WeightedLayerCount">Layers holding at least one weight; for safetensors, 0.</param>
/// <param name="TensorCount">Weight arrays (datasets or tensors) in the file.</param>
/// <param name="ParameterCount">Total number of values in those arrays.</param>
/// <param name="EmbeddingSize">D, from the bottleneck's shape, when it can be told.</param>
/// <param name="Metadata">The safetensors metadata (empty for Keras files).</param>
public sealed record WeightFileInfo(
    string Path, WeightFileFormat Format, string Layout, string? KerasVersion, string? Backend,
    int LayerCount, int WeightedLayerCount, int TensorCount, long ParameterCount, int? EmbeddingSize,
    IReadOnlyDictionary<string, string> Metadata);
