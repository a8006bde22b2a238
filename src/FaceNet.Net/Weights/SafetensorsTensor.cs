namespace FaceNet.Net.Weights;

/// <summary>One tensor to write into a safetensors file.</summary>
/// <param name="Name">The tensor's name (not empty, not <c>__metadata__</c>).</param>
/// <param name="DType">The safetensors dtype name (see <see cref="SafetensorsFile.ElementSize"/>).</param>
/// <param name="Shape">Its dimensions (empty for a scalar).</param>
/// <param name="WriteData">Writes exactly the tensor's little-endian bytes (element count times the dtype's size) to the stream.</param>
internal sealed record SafetensorsTensor(string Name, string DType, long[] Shape, Action<Stream> WriteData);
