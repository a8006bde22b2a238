using FaceNet.Net.Evaluation;

namespace FaceNet.Net.Tests.Evaluation;

public class PairDistancesTests
{
    [Test]
    public void Each_image_is_embedded_once_and_distances_are_Euclidean_on_normalised_embeddings()
    {
        var pairs = LfwPairsFile.Parse(new StringReader("1\nA\t1\t2\nA\t1\tB\t1\n")).Pairs;
        var root = Path.Combine(Path.GetTempPath(), "no-images-needed");
        var vectors = new Dictionary<string, float[]>
        {
            [Path.Combine(root, "A", "A_0001.jpg")] = [3, 0],     // normalised: (1, 0)
            [Path.Combine(root, "A", "A_0002.jpg")] = [0, 5],     // (0, 1): distance √2
            [Path.Combine(root, "B", "B_0001.jpg")] = [-2, 0],    // (−1, 0): distance 2
        };
        var calls = new List<IReadOnlyList<string>>();
        var d = PairDistances.Compute(pairs, root, paths => { calls.Add(paths); return paths.Select(p => vectors[p]).ToArray(); });
        Assert.That(calls, Has.Count.EqualTo(1));
        Assert.That(calls[0], Has.Count.EqualTo(3), "A_0001 is shared by both pairs and embedded once");
        Assert.That(d[0].Distance, Is.EqualTo(MathF.Sqrt(2)).Within(1e-6));
        Assert.That(d[0].Same, Is.True);
        Assert.That(d[1].Distance, Is.EqualTo(2f).Within(1e-6));
        Assert.That(d[1].Same, Is.False);
    }

    [Test]
    public void Bad_embeddings_are_reported()
    {
        var pairs = LfwPairsFile.Parse(new StringReader("1\nA\t1\t2\nA\t1\tB\t1\n")).Pairs;
        Assert.That(() => PairDistances.Compute(pairs, "r", p => [[1f, 0f]]), Throws.InstanceOf<FaceNetException>().With.Message.Contains("1 embeddings for 3 images"));
        Assert.That(() => PairDistances.Compute(pairs, "r", p => p.Select(_ => new float[2]).ToArray()), Throws.InstanceOf<FaceNetException>().With.Message.Contains("zero"));
    }

    [Test]
    public void An_embeddings_file_round_trips_and_serves_lookups_by_relative_path()
    {
        var dir = Directory.CreateTempSubdirectory("facenet-emb-").FullName;
        try
        {
            var file = Path.Combine(dir, "e.json");
            EmbeddingsFile.Write(file, new Dictionary<string, float[]> { ["A/A_0001.png"] = [1, 2], ["A/A_0002.jpg"] = [3, 4] });
            var read = EmbeddingsFile.Read(file);
            Assert.That(read["A/A_0002.jpg"], Is.EqualTo(new float[] { 3, 4 }));
            var lookup = EmbeddingsFile.Lookup(read, "/data/lfw");
            var got = lookup(["/data/lfw/A/A_0001.jpg", "/data/lfw/A/A_0002.jpg"]);
            Assert.That(got[0], Is.EqualTo(new float[] { 1, 2 }), ".jpg falls back to the .png entry");
            Assert.That(() => lookup(["/data/lfw/B/B_0001.jpg"]), Throws.InstanceOf<FaceNetException>().With.Message.Contains("B/B_0001.jpg"));
            File.WriteAllText(file, "[1,2]");
            Assert.That(() => EmbeddingsFile.Read(file), Throws.InstanceOf<FaceNetException>());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
