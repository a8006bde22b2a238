using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using TorchSharp;

namespace FaceNet.Net.Tests.Recognition;

public class DistancesTests
{
    [Test]
    public void Pair_distances_follow_their_definitions()
    {
        float[] a = [3, 0, 0, 4];
        float[] b = [0, 0, 0, 4];
        Assert.That(Distances.Euclidean(a, b), Is.EqualTo(3f));
        Assert.That(Distances.SquaredEuclidean(a, b), Is.EqualTo(9f));
        Assert.That(Distances.CosineSimilarity(a, b), Is.EqualTo(4f / 5f).Within(1e-7));
        Assert.That(Distances.CosineDistance(a, b), Is.EqualTo(1f / 5f).Within(1e-7));
        Assert.That(Distances.CosineSimilarity([1, 0], [-2, 0]), Is.EqualTo(-1f));
        Assert.That(Distances.Compute(a, b, DistanceMetric.Cosine), Is.EqualTo(Distances.CosineDistance(a, b)));
    }

    [Test]
    public void Unit_vectors_relate_cosine_and_euclidean_as_the_thresholds_table_says()
    {
        var random = new Random(4);
        var a = RandomEmbeddings.Next(random);
        var b = RandomEmbeddings.Next(random);
        float e = a.DistanceTo(b);
        Assert.That(a.DistanceTo(b, DistanceMetric.SquaredEuclidean), Is.EqualTo(e * e).Within(1e-5));
        Assert.That(a.DistanceTo(b, DistanceMetric.Cosine), Is.EqualTo(e * e / 2).Within(1e-5));
    }

    [TestCase(DistanceMetric.Euclidean)]
    [TestCase(DistanceMetric.SquaredEuclidean)]
    [TestCase(DistanceMetric.Cosine)]
    public void Batched_matrices_equal_the_pairwise_distances(DistanceMetric metric)
    {
        var random = new Random(12);
        var left = Enumerable.Range(0, 7).Select(_ => RandomEmbeddings.Next(random, 32)).ToList();
        var right = Enumerable.Range(0, 5).Select(_ => RandomEmbeddings.Next(random, 32)).ToList();
        right.Add(left[2]);

        var matrix = Distances.Matrix(left, right, metric);

        Assert.That(matrix.GetLength(0), Is.EqualTo(7));
        Assert.That(matrix.GetLength(1), Is.EqualTo(6));
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 6; j++)
                Assert.That(matrix[i, j], Is.EqualTo(Distances.Compute(left[i], right[j], metric)).Within(2e-3), $"[{i},{j}]");
        Assert.That(matrix[2, 5], Is.EqualTo(0f).Within(2e-3), "an embedding against itself");
    }

    [Test]
    public void Tensor_matrices_work_on_raw_unnormalised_rows()
    {
        FaceNetRuntime.EnsureInitialized();
        using var a = torch.tensor(new float[] { 3, 0, 0, 4 }, [2, 2]);
        using var b = torch.tensor(new float[] { 0, 0, 6, 8 }, [2, 2]);
        using var euclid = Distances.Matrix(a, b, DistanceMetric.Euclidean);
        using var cosine = Distances.CosineSimilarityMatrix(a, b);
        Assert.That(euclid.data<float>().ToArray(), Is.EqualTo(new[] { 3f, Distances.Euclidean([3, 0], [6, 8]), 4f, Distances.Euclidean([0, 4], [6, 8]) }).Within(1e-4));
        Assert.That(cosine.data<float>().ToArray(), Is.EqualTo(new[] { 0f, 0.6f, 0f, 0.8f }).Within(1e-6));
    }
}
