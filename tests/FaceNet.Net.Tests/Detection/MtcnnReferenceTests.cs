using FaceNet.Net.Detection;
using FaceNet.Net.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Detection;

/// <summary>MTCNN against facenet-pytorch's detections on the five shared photos (<c>fixtures/mtcnn/expected.json</c>).</summary>
[Category(TestCategories.Reference)]
public class MtcnnReferenceTests
{
    private MtcnnFaceDetector? _detector;
    private readonly Dictionary<string, IReadOnlyList<DetectedFace>> _detections = [];

    /// <summary>The detections on a shared photo, computed once per fixture (the large photos take seconds).</summary>
    private IReadOnlyList<DetectedFace> DetectOnce(string file)
    {
        if (!_detections.TryGetValue(file, out var faces))
            _detections[file] = faces = _detector!.Detect(MtcnnReference.PhotoPath(file));
        return faces;
    }

    [OneTimeSetUp]
    public void LoadDetector() => _detector = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder);

    [OneTimeTearDown]
    public void DisposeDetector() => _detector?.Dispose();

    private static IEnumerable<string> Photos() =>
        ["angelina_jolie.jpg", "kate_siegel.jpg", "paul_rudd.jpg", "shea_whigham.jpg", "multiface.jpg"];

    [TestCaseSource(nameof(Photos))]
    public void Detections_match_facenet_pytorch(string file)
    {
        var expected = MtcnnReference.Load().Single(p => p.File == file);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var faces = DetectOnce(file);
        started.Stop();

        var agreement = MtcnnReference.AssertMatches(file, expected.Faces, faces);
        TestContext.Out.WriteLine(
            $"{file}: {faces.Count} faces, min IoU {agreement.MinIoU:F4}, max |Δprob| {agreement.MaxProbabilityDifference:E2}, " +
            $"max landmark error {agreement.MaxLandmarkError:P3} of box width, {started.ElapsedMilliseconds} ms");
    }

    [Test]
    public void A_face_cut_by_the_left_border_is_found_through_the_padding_path()
    {
        // angelina_jolie.jpg has a small face whose box starts left of the photo (x1 < 0 in the reference):
        // its R-Net and O-Net crops are clamped to the photo before resampling.
        var expected = MtcnnReference.Load().Single(p => p.File == "angelina_jolie.jpg").Faces.Single(f => f.Box.X1 < 0);
        var atBorder = DetectOnce("angelina_jolie.jpg").Where(f => f.Box.X1 < 0).ToList();
        Assert.That(atBorder, Has.Count.EqualTo(1));
        Assert.That(atBorder[0].Box.IntersectionOverUnion(expected.Box), Is.GreaterThanOrEqualTo(MtcnnReference.MinIoU), $"{atBorder[0].Box} vs {expected.Box}");
        Assert.That(atBorder[0].Landmarks.Min(p => p.X), Is.LessThan(0f), "a landmark outside the photo is reported as is");
    }

    [Test]
    public void Photos_of_equal_size_detected_as_one_batch_give_the_same_faces_as_one_by_one()
    {
        using var photo = Image.Load<Rgb24>(MtcnnReference.PhotoPath("multiface.jpg"));
        using var mirrored = photo.Clone(c => c.Flip(FlipMode.Horizontal));
        var batch = _detector!.Detect([photo, mirrored]);
        var single = _detector.Detect(mirrored);
        Assert.That(batch, Has.Count.EqualTo(2));
        Assert.That(batch[0], Has.Count.EqualTo(6));
        Assert.That(batch[1].Select(f => f.Box), Is.EqualTo(single.Select(f => f.Box)));
        Assert.That(batch[1].Select(f => f.Probability), Is.EqualTo(single.Select(f => f.Probability)));
    }
}
