using System.Buffers.Binary;
using System.Text.Json;

namespace FaceNet.Net.Detection;

/// <summary>One named float tensor read from a weight file: its shape and values in row-major order.</summary>
internal sealed record NamedArray(long[] Shape, float[] Values);

/// <summary>
/// Reads the safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data). F32, F64, F16 and BF16 become float.
/// Small and self-contained so that MTCNN weights load without Python or extra packages.
/// </summary>
internal static class SafeTensorsReader
{
    /// <summary>Largest header accepted (the format's own limit is 100 MB).</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static IReadOnlyDictionary<string, NamedArray> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FaceDetectionException($"Cannot read the weight file '{path}': {e.Message}", e);
        }
        return Parse(bytes, path);
    }

    public static IReadOnlyDictionary<string, NamedArray> Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8) throw Invalid(source, "the file is shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, bytes.Length - 8))
            throw Invalid(source, $"the header length {headerLength} does not fit the file ({bytes.Length} bytes)");
        var dataStart = 8 + (int)headerLength;
        var data = bytes[dataStart..];

        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw new FaceDetectionException($"'{source}' is not a safetensors file: its header is not JSON ({e.Message}).", e);
        }

        var result = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(source, "the header is not a JSON object");
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                result[entry.Name] = ReadTensor(entry, data, source);
            }
        }
        return result;
    }

    private static NamedArray ReadTensor(JsonProperty entry, ReadOnlySpan<byte> data, string source)
    {
        try
        {
            var dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > data.Length)
                throw Invalid(source, $"tensor '{entry.Name}' has data offsets outside the file");
            if (shape.Any(d => d < 0)) throw Invalid(source, $"tensor '{entry.Name}' has a negative dimension");
            long count = shape.Aggregate(1L, (a, d) => checked(a * d));
            int width = dtype switch { "F32" => 4, "F64" => 8, "F16" or "BF16" => 2, _ => 0 };
            if (width == 0) throw Invalid(source, $"tensor '{entry.Name}' has dtype {dtype}; only F32, F64, F16 and BF16 are supported");
            if (offsets[1] - offsets[0] != count * width)
                throw Invalid(source, $"tensor '{entry.Name}' holds {offsets[1] - offsets[0]} bytes, its shape and dtype need {count * width}");
            var raw = data.Slice((int)offsets[0], (int)(offsets[1] - offsets[0]));
            var values = new float[count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = dtype switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]),
                    "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]),
                    "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) << 16),
                };
            }
            return new NamedArray(shape, values);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw Invalid(source, $"tensor '{entry.Name}' has a malformed header entry ({e.Message})");
        }
    }

    private static FaceDetectionException Invalid(string source, string why) =>
        new($"'{source}' is not a valid safetensors file: {why}.");
}
