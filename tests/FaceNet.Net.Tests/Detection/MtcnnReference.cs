using System.Text.Json;
using FaceNet.Net.Detection;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Detection;

/// <summary>The detections facenet-pytorch made on the shared photos (<c>fixtures/mtcnn/expected.json</c>) and how to compare with them.</summary>
internal static class MtcnnReference
{
    public const double MinIoU = 0.95;
    public const double MaxProbabilityDifference = 0.01;
    public const double MaxLandmarkErrorOfBoxWidth = 0.02;

    public sealed record Photo(string File, int Width, int Height, IReadOnlyList<DetectedFace> Faces);

    /// <summary>The worst agreement over one photo's matched faces.</summary>
    public sealed record Agreement(int Matched, double MinIoU, double MaxProbabilityDifference, double MaxLandmarkError);

    public static IReadOnlyList<Photo> Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("fixtures", "mtcnn", "expected.json")));
        return json.RootElement.GetProperty("images").EnumerateArray().Select(image => new Photo(
            image.GetProperty("file").GetString()!,
            image.GetProperty("width").GetInt32(),
            image.GetProperty("height").GetInt32(),
            image.GetProperty("faces").EnumerateArray().Select(Face).ToList())).ToList();
    }

    public static string PhotoPath(string file) => SharedFixtures.Path("fixtures", "faces", "photos", file);

    public static string WeightsFolder => SharedFixtures.Path("fixtures", "mtcnn");

    public static DetectedFace Face(JsonElement face)
    {
        var box = face.GetProperty("box").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var marks = face.GetProperty("landmarks").EnumerateArray()
            .Select(p => new FacePoint(p[0].GetSingle(), p[1].GetSingle())).ToList();
        return new DetectedFace(new FaceBox(box[0], box[1], box[2], box[3]), face.GetProperty("prob").GetSingle(), marks);
    }

    /// <summary>
    /// Matches <paramref name="actual"/> to <paramref name="expected"/> greedily by IoU (best pair first) and
    /// asserts the counts and the tolerances; returns the worst values seen.
    /// </summary>
    public static Agreement AssertMatches(string photo, IReadOnlyList<DetectedFace> expected, IReadOnlyList<DetectedFace> actual)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count), $"{photo}: number of faces");
        var pairs = (from e in Enumerable.Range(0, expected.Count)
                     from a in Enumerable.Range(0, actual.Count)
                     select (e, a, iou: (double)expected[e].Box.IntersectionOverUnion(actual[a].Box)))
            .OrderByDescending(p => p.iou).ToList();
        var usedE = new HashSet<int>();
        var usedA = new HashSet<int>();
        double minIoU = 1, maxProb = 0, maxMark = 0;
        foreach (var (e, a, iou) in pairs)
        {
            if (usedE.Contains(e) || usedA.Contains(a)) continue;
            usedE.Add(e);
            usedA.Add(a);
            var want = expected[e];
            var got = actual[a];
            double prob = Math.Abs(want.Probability - got.Probability);
            double width = want.Box.Width;
            double mark = Enumerable.Range(0, 5).Max(k =>
                Math.Sqrt(Math.Pow(want.Landmarks[k].X - got.Landmarks[k].X, 2) + Math.Pow(want.Landmarks[k].Y - got.Landmarks[k].Y, 2))) / width;
            minIoU = Math.Min(minIoU, iou);
            maxProb = Math.Max(maxProb, prob);
            maxMark = Math.Max(maxMark, mark);
            Assert.Multiple(() =>
            {
                Assert.That(iou, Is.GreaterThanOrEqualTo(MinIoU), $"{photo}: IoU of {got.Box} with reference {want.Box}");
                Assert.That(prob, Is.LessThanOrEqualTo(MaxProbabilityDifference), $"{photo}: probability {got.Probability} vs {want.Probability}");
                Assert.That(mark, Is.LessThanOrEqualTo(MaxLandmarkErrorOfBoxWidth), $"{photo}: landmark error (fraction of box width) for {want.Box}");
            });
        }
        return new Agreement(usedE.Count, minIoU, maxProb, maxMark);
    }
}
