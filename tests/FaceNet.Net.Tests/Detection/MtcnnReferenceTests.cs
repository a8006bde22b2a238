using FaceNet.Net.Detection;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Detection;

/// <summary>MTCNN against facenet-pytorch's detections on the five shared photos.</summary>
[Category(TestCategories.Reference)]
public class MtcnnReferenceTests
{
    private MtcnnFaceDetector? _detector;

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
        var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(MtcnnReference.PhotoPath(file));
        Assert.That((image.Width, image.Height), Is.EqualTo((expected.Width, expected.Height)));
        var rawDir = (string?)null;
        if (rawDir is not null)
        {
            var raw = File.ReadAllBytes(Path.Combine(rawDir, Path.ChangeExtension(file, ".rgb")));
            var mine = new byte[raw.Length];
            image.CopyPixelDataTo(mine);
            TestContext.Out.WriteLine($"{file}: decode diff mean {raw.Zip(mine, (a, b) => Math.Abs(a - b)).Average():F3} max {raw.Zip(mine, (a, b) => Math.Abs(a - b)).Max()}");
            image.Dispose();
            image = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.Rgb24>(raw, expected.Width, expected.Height);
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var faces = _detector!.Detect(image);
        started.Stop();

        foreach (var f in faces) TestContext.Out.WriteLine($"  got {f.Box.X1:F3} {f.Box.Y1:F3} {f.Box.X2:F3} {f.Box.Y2:F3} p={f.Probability:F6} L0={f.Landmarks[0]}");
        foreach (var f in expected.Faces) TestContext.Out.WriteLine($"  ref {f.Box.X1:F3} {f.Box.Y1:F3} {f.Box.X2:F3} {f.Box.Y2:F3} p={f.Probability:F6} L0={f.Landmarks[0]}");
        var agreement = MtcnnReference.AssertMatches(file, expected.Faces, faces);
        TestContext.Out.WriteLine(
            $"{file}: {faces.Count} faces, min IoU {agreement.MinIoU:F4}, max |Δprob| {agreement.MaxProbabilityDifference:E2}, " +
            $"max landmark error {agreement.MaxLandmarkError:P3} of box width, {started.ElapsedMilliseconds} ms");
    }
}
