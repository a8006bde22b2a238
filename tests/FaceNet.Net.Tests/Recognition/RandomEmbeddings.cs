using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>Seeded random unit embeddings.</summary>
internal static class RandomEmbeddings
{
    public const string Source = "random-source";

    public static FaceEmbedding Next(Random random, int dimension = 128, string source = Source)
    {
        var values = new float[dimension];
        for (int i = 0; i < dimension; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return FaceEmbedding.FromValues(values, source);
    }

    /// <summary>A unit vector near <paramref name="center"/> (a "second photo" of the same person).</summary>
    public static FaceEmbedding Near(FaceEmbedding center, Random random, double noise)
    {
        var values = center.ToArray();
        for (int i = 0; i < values.Length; i++) values[i] += (float)((random.NextDouble() * 2 - 1) * noise);
        return FaceEmbedding.FromValues(values, center.Source);
    }
}
