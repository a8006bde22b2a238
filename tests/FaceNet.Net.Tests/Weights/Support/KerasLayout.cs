using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>The inverse of <see cref="KerasWeightMap.ToTorch"/>: torch-layout values back into Keras layout, to write Keras test files.</summary>
internal static class KerasLayout
{
    /// <summary>Reorders torch values of <paramref name="torchShape"/> into Keras order under <paramref name="transform"/> (a copy).</summary>
    public static float[] ToKeras(KerasTransform transform, long[] torchShape, float[] values)
    {
        switch (transform)
        {
            case KerasTransform.ConvKernel:
            {
                // (out, in, kh, kw) → (kh, kw, in, out)
                int co = (int)torchShape[0], ci = (int)torchShape[1], kh = (int)torchShape[2], kw = (int)torchShape[3];
                var result = new float[values.Length];
                for (int o = 0; o < co; o++)
                    for (int i = 0; i < ci; i++)
                        for (int y = 0; y < kh; y++)
                            for (int x = 0; x < kw; x++)
                                result[((y * kw + x) * ci + i) * co + o] = values[((o * ci + i) * kh + y) * kw + x];
                return result;
            }
            case KerasTransform.DenseKernel:
            {
                // (out, in) → (in, out)
                int co = (int)torchShape[0], ci = (int)torchShape[1];
                var result = new float[values.Length];
                for (int o = 0; o < co; o++)
                    for (int i = 0; i < ci; i++)
                        result[i * co + o] = values[o * ci + i];
                return result;
            }
            default:
                return (float[])values.Clone();
        }
    }
}
