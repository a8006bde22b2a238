using FaceNet.Net.Imaging;
using FaceNet.Net.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceNet.Net.Tests.Detection;

/// <summary>What the detector does with photos without faces, with several faces, and with bad input.</summary>
public class DetectionBehaviourTests
{
    private MtcnnFaceDetector? _detector;

    [OneTimeSetUp]
    public void LoadDetector() => _detector = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder);

    [OneTimeTearDown]
    public void DisposeDetector() => _detector?.Dispose();

    private static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[width * height * 3];
        random.NextBytes(bytes);
        return Image.LoadPixelData<Rgb24>(bytes, width, height);
    }

    /// <summary>A part of multiface.jpg, halved: several faces, small enough to be quick.</summary>
    private static Image<Rgb24> Group()
    {
        var photo = Image.Load<Rgb24>(MtcnnReference.PhotoPath("multiface.jpg"));
        photo.Mutate(c => c.Crop(new Rectangle(380, 20, 300, 300)));
        return photo;
    }

    /// <summary>kate_siegel.jpg (one face) at a quarter of its size.</summary>
    private static Image<Rgb24> Portrait()
    {
        var photo = Image.Load<Rgb24>(MtcnnReference.PhotoPath("kate_siegel.jpg"));
        photo.Mutate(c => c.Resize(photo.Width / 4, photo.Height / 4));
        return photo;
    }

    [Test]
    public void Noise_and_a_flat_colour_have_no_face()
    {
        using var noise = Noise(320, 240, seed: 5);
        using var grey = new Image<Rgb24>(200, 150, new Rgb24(128, 128, 128));
        Assert.That(_detector!.Detect(noise), Is.Empty);
        Assert.That(_detector.Detect(grey), Is.Empty);
    }

    [Test]
    public void A_photo_smaller_than_the_smallest_window_has_no_face()
    {
        using var tiny = new Image<Rgb24>(15, 15, new Rgb24(200, 150, 120));
        Assert.That(_detector!.Detect(tiny), Is.Empty);
    }

    [Test]
    public void No_face_gives_an_empty_result_under_every_policy_but_Error()
    {
        using var grey = new Image<Rgb24>(200, 150, new Rgb24(90, 90, 90));
        foreach (var policy in new[] { FacePolicy.Empty, FacePolicy.All, FacePolicy.Largest, FacePolicy.MostProbable })
            Assert.That(_detector!.DetectAndAlign(grey, policy), Is.Empty, policy.ToString());
        var error = Assert.Throws<FaceDetectionException>(() => _detector!.DetectAndAlign(grey, FacePolicy.Error));
        Assert.That(error!.Message, Does.Contain("No face"));
    }

    [Test]
    public void Several_faces_follow_the_policy()
    {
        using var group = Group();
        var all = _detector!.Detect(group);
        Assert.That(all, Has.Count.GreaterThanOrEqualTo(2), "the crop of multiface.jpg holds several faces");

        var aligned = _detector.DetectAndAlign(group, FacePolicy.All);
        try
        {
            Assert.That(aligned, Has.Count.EqualTo(all.Count));
            Assert.That(aligned.Select(a => (a.Crop.Width, a.Crop.Height)), Is.All.EqualTo((160, 160)));
        }
        finally
        {
            foreach (var a in aligned) a.Dispose();
        }

        var largest = _detector.DetectAndAlign(group, FacePolicy.Largest);
        Assert.That(largest.Single().Face.Box.Area, Is.EqualTo(all.Max(f => f.Box.Area)));
        largest.Single().Dispose();
        var probable = _detector.DetectAndAlign(group, FacePolicy.MostProbable);
        Assert.That(probable.Single().Face.Probability, Is.EqualTo(all.Max(f => f.Probability)));
        probable.Single().Dispose();

        Assert.That(_detector.DetectAndAlign(group, FacePolicy.Empty), Is.Empty);
        var error = Assert.Throws<FaceDetectionException>(() => _detector.DetectAndAlign(group, FacePolicy.Error));
        Assert.That(error!.Message, Does.Contain($"{all.Count} faces"));
    }

    [Test]
    public void One_face_is_returned_under_Error_as_a_160_pixel_crop()
    {
        using var portrait = Portrait();
        var aligned = _detector!.DetectAndAlign(portrait, FacePolicy.Error);
        using var face = aligned.Single();
        Assert.That((face.Crop.Width, face.Crop.Height), Is.EqualTo((160, 160)));
        Assert.That(face.Face.Probability, Is.GreaterThan(0.99f));
        Assert.That(face.Face.Landmarks, Has.Count.EqualTo(DetectedFace.LandmarkCount));
        // Eyes above the nose, nose above the mouth corners.
        Assert.That(face.Face.Landmarks[0].Y, Is.LessThan(face.Face.Landmarks[2].Y));
        Assert.That(face.Face.Landmarks[2].Y, Is.LessThan(face.Face.Landmarks[3].Y));
    }

    [Test]
    public void The_selection_option_keeps_only_the_largest_face()
    {
        using var group = Group();
        using var largestOnly = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { FacePolicy = FacePolicy.Largest });
        var all = _detector!.Detect(group);
        var one = largestOnly.Detect(group);
        Assert.That(one.Single().Box, Is.EqualTo(all.MaxBy(f => f.Box.Area)!.Box));
    }

    [Test]
    public void The_options_face_policy_also_decides_what_detect_gives_when_a_photo_holds_several_faces()
    {
        using var group = Group();
        var all = _detector!.Detect(group);
        using var strict = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { FacePolicy = FacePolicy.Error });
        var error = Assert.Throws<FaceDetectionException>(() => strict.Detect(group));
        Assert.That(error!.Message, Is.EqualTo($"{all.Count} faces were found; exactly one was expected."));
        using var empty = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { FacePolicy = FacePolicy.Empty });
        Assert.That(empty.Detect(group), Is.Empty);
        using var probable = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { FacePolicy = FacePolicy.MostProbable });
        Assert.That(probable.Detect(group).Single().Box, Is.EqualTo(all.MaxBy(f => f.Probability)!.Box));
    }

    [Test]
    public void A_margin_widens_the_crop_window()
    {
        using var portrait = Portrait();
        using var withMargin = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { Margin = 40 });
        var face = _detector!.Detect(portrait).Single();
        using var tight = _detector.Align(portrait, face);
        using var loose = withMargin.Align(portrait, face);
        // The same face at a smaller scale: the loose crop's centre region resembles the tight crop shrunk,
        // and its border shows more of the surroundings, so the two crops differ.
        Assert.That((loose.Width, loose.Height), Is.EqualTo((160, 160)));
        var a = new Rgb24[160 * 160];
        var b = new Rgb24[160 * 160];
        tight.CopyPixelDataTo(a);
        loose.CopyPixelDataTo(b);
        Assert.That(a.Zip(b).Average(p => Math.Abs(p.First.R - p.Second.R)), Is.GreaterThan(5));
    }

    [Test]
    public void Float32_networks_find_the_same_faces_with_nearly_the_same_boxes()
    {
        using var group = Group();
        using var fast = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { DoublePrecision = false });
        var reference = _detector!.Detect(group);
        var faces = fast.Detect(group);
        Assert.That(faces, Has.Count.EqualTo(reference.Count));
        foreach (var face in faces)
            Assert.That(reference.Max(r => r.Box.IntersectionOverUnion(face.Box)), Is.GreaterThan(0.85));
    }

    [Test]
    public void A_corrupt_file_throws_ImageLoadException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"facenet-corrupt-{Guid.NewGuid():N}.jpg");
        try
        {
            var bytes = new byte[4096];
            new Random(3).NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<ImageLoadException>(() => _detector!.Detect(path));
            Assert.That(error!.Message, Does.Contain(path));
            Assert.That(error.SourceName, Is.EqualTo(path));
            Assert.Throws<ImageLoadException>(() => _detector!.DetectAndAlign(path, FacePolicy.All));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_missing_file_throws_ImageLoadException()
    {
        var error = Assert.Throws<ImageLoadException>(() => _detector!.Detect("/no/such/photo.jpg"));
        Assert.That(error!.Message, Does.Contain("does not exist"));
    }

    [Test]
    public void A_photo_above_the_pixel_limit_is_refused_before_decoding()
    {
        var path = Path.Combine(Path.GetTempPath(), $"facenet-large-{Guid.NewGuid():N}.png");
        try
        {
            using (var image = new Image<Rgb24>(300, 200)) image.SaveAsPng(path);
            using var strict = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder, new FaceDetectorOptions { ImageLoading = new ImageLoadOptions { MaxPixels = 50_000 } });
            var error = Assert.Throws<ImageLoadException>(() => strict.Detect(path));
            Assert.That(error!.Message, Does.Contain("300x200"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_disposed_detector_refuses_work()
    {
        var detector = MtcnnFaceDetector.FromFolder(MtcnnReference.WeightsFolder);
        detector.Dispose();
        detector.Dispose();
        using var grey = new Image<Rgb24>(50, 50);
        Assert.Throws<ObjectDisposedException>(() => detector.Detect(grey));
    }
}
