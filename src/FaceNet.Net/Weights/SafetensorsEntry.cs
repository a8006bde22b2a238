namespace FaceNet.Net.Weights;

/// <summary>One tensor as a safetensors header describes it (already validated against the file).</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">The safetensors dtype name (<c>F32</c>, <c>I64</c>, <c>U8</c>, ...).</param>
/// <param name="Shape">Its dimensions (empty for a scalar).</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
internal sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>How many bytes the tensor's data takes.</summary>
    public long ByteLength => End - Begin;
}
