using System.Buffers.Binary;
using System.Text.Json;
using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Infrastructure;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>One case of <c>reference-128/expected.json</c>.</summary>
internal sealed record ReferenceCase(string Name, float[] Raw, float[] Normalized)
{
    /// <summary>The input as a 1 x 3 x 160 x 160 tensor: a raw <c>.f32</c> NHWC file fed as is, or <c>person.png|mode</c> decoded and preprocessed.</summary>
    public Tensor LoadInput()
    {
        if (Name.EndsWith(".f32", StringComparison.Ordinal))
            return FaceInput.FromNhwc(ReferenceCases.ReadF32(SharedFixtures.Path("fixtures", "reference-128", Name)));
        var parts = Name.Split('|');
        var image = SharedFixtures.Path("fixtures", "faces", "aligned", parts[0]);
        using var decoded = ImageLoader.Load(image);
        return FaceBatch.ToTensor([decoded], PreprocessingModeNames.Parse(parts[1]));
    }

    /// <summary>The input file path for the CLI: the .f32 file or the PNG.</summary>
    public string InputPath => Name.EndsWith(".f32", StringComparison.Ordinal)
        ? SharedFixtures.Path("fixtures", "reference-128", Name)
        : SharedFixtures.Path("fixtures", "faces", "aligned", Name.Split('|')[0]);
}

/// <summary>Reads the independent reference <c>fixtures/reference-128/expected.json</c>.</summary>
internal static class ReferenceCases
{
    /// <summary>Tolerance on |raw − expected.raw| (two float32 implementations agree to about 1e-5).</summary>
    public const float Tolerance = 1e-3f;

    /// <summary>All cases (ignores the test when the fixtures are absent).</summary>
    public static IReadOnlyList<ReferenceCase> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("fixtures", "reference-128", "expected.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("raw").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            c.GetProperty("normalized").EnumerateArray().Select(v => v.GetSingle()).ToArray())).ToList();
    }

    /// <summary>The normalised reference embedding of each person's aligned face under <paramref name="mode"/> (<c>unit</c>, <c>fixed</c>, <c>prewhiten</c>).</summary>
    public static Dictionary<string, float[]> NormalizedByPerson(string mode) =>
        Load().Where(c => c.Name.EndsWith("|" + mode, StringComparison.Ordinal))
            .ToDictionary(c => c.Name.Split('.')[0], c => c.Normalized);

    /// <summary>Euclidean distance between two embeddings, in double precision.</summary>
    public static float Distance(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.That(a, Has.Count.EqualTo(b.Count));
        double sum = 0;
        for (int i = 0; i < a.Count; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>A little-endian float32 file.</summary>
    public static float[] ReadF32(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        return values;
    }

    /// <summary><paramref name="v"/> scaled to unit length (the norm in double precision).</summary>
    public static float[] Normalize(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    /// <summary>
    /// Asserts that every pair of <paramref name="cases"/> falls on the same side of <paramref name="threshold"/> with
    /// <paramref name="units"/> (the cases' unit embeddings from a run, in order) as with the reference's, and returns
    /// the number of pairs, the largest distance shift and the smallest reference margin to the threshold.
    /// </summary>
    public static (int Pairs, float LargestShift, float SmallestMargin) AssertSameDecisions(IReadOnlyList<ReferenceCase> cases, IReadOnlyList<float[]> units, float threshold)
    {
        float smallestMargin = float.MaxValue, largestShift = 0;
        int pairs = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            for (int j = i + 1; j < cases.Count; j++)
            {
                float expected = Distance(cases[i].Normalized, cases[j].Normalized);
                float actual = Distance(units[i], units[j]);
                Assert.That(actual < threshold, Is.EqualTo(expected < threshold), $"{cases[i].Name} / {cases[j].Name}: {actual} against {expected}");
                smallestMargin = Math.Min(smallestMargin, Math.Abs(expected - threshold));
                largestShift = Math.Max(largestShift, Math.Abs(actual - expected));
                pairs++;
            }
        }
        return (pairs, largestShift, smallestMargin);
    }

    /// <summary>max |a − b|.</summary>
    public static float MaxAbsDifference(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.That(a, Has.Count.EqualTo(b.Count));
        float max = 0;
        for (int i = 0; i < a.Count; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
