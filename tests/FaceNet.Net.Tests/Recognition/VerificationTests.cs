using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Tests.Recognition;

public class VerificationTests
{
    [Test]
    public void Default_is_euclidean_below_0_7_on_normalised_embeddings()
    {
        var random = new Random(1);
        var a = RandomEmbeddings.Next(random);
        var same = RandomEmbeddings.Near(a, random, 0.02);
        var other = RandomEmbeddings.Next(random);

        var match = FaceVerifier.Verify(a, same);
        var mismatch = FaceVerifier.Verify(a, other);

        Assert.That(match.Metric, Is.EqualTo(DistanceMetric.Euclidean));
        Assert.That(match.Threshold, Is.EqualTo(0.7f));
        Assert.That(match.Distance, Is.EqualTo(Distances.Euclidean(a.Vector.Span, same.Vector.Span)));
        Assert.That(match.Distance, Is.LessThan(0.7f));
        Assert.That(match.IsMatch, Is.True);
        Assert.That(mismatch.Distance, Is.GreaterThan(0.7f));
        Assert.That(mismatch.IsMatch, Is.False);
    }

    [Test]
    public void The_decision_is_strictly_below_the_threshold_and_other_metrics_use_their_defaults()
    {
        var random = new Random(2);
        var a = RandomEmbeddings.Next(random);
        var b = RandomEmbeddings.Next(random);
        float d = a.DistanceTo(b);
        Assert.That(FaceVerifier.Verify(a, b, threshold: d).IsMatch, Is.False, "distance == threshold is not a match");
        Assert.That(FaceVerifier.Verify(a, b, threshold: d * 1.0001f).IsMatch, Is.True);
        Assert.That(FaceVerifier.Verify(a, b, DistanceMetric.Cosine).Threshold, Is.EqualTo(0.40f));
        Assert.That(FaceVerifier.Verify(a, b, DistanceMetric.SquaredEuclidean).Threshold, Is.EqualTo(0.49f));
    }
}
