namespace FaceNet.Net.Imaging;

/// <summary>The three preprocessing formulas of <see cref="PreprocessingMode"/>, applied in place to 0..255 values.</summary>
internal static class PixelNormalization
{
    /// <summary>Scales <paramref name="values"/> (one image, all channels) in place.</summary>
    public static void Apply(Span<float> values, PreprocessingMode mode)
    {
        switch (mode)
        {
            case PreprocessingMode.Unit:
                for (int i = 0; i < values.Length; i++) values[i] /= 255f;
                break;
            case PreprocessingMode.Fixed:
                for (int i = 0; i < values.Length; i++) values[i] = (values[i] - 127.5f) / 128f;
                break;
            case PreprocessingMode.Prewhiten:
                Prewhiten(values);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown preprocessing mode.");
        }
    }

    /// <summary>(x − mean) / max(std, 1/sqrt(N)), population std over all N values, sums in double.</summary>
    private static void Prewhiten(Span<float> values)
    {
        int n = values.Length;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += values[i];
        double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double d = values[i] - mean;
            squares += d * d;
        }
        double std = Math.Sqrt(squares / n);
        double adjusted = Math.Max(std, 1.0 / Math.Sqrt(n));
        float m = (float)mean;
        float scale = (float)(1.0 / adjusted);
        for (int i = 0; i < n; i++) values[i] = (values[i] - m) * scale;
    }
}
