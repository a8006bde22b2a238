using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Infrastructure;
using System.Text.Json;

namespace FaceNet.Net.Tests.Detection;

/// <summary>
/// Encoding ordinary photos: the encoder with an MTCNN detector detects, aligns and encodes, and the
/// CLI does the same with <c>--mtcnn</c>. The detector's crop must be what the encoder encodes.
/// </summary>
[Category(TestCategories.Reference)]
public class PhotoEncodingReferenceTests
{
    private FaceEncoder _encoder = null!;
    private MtcnnFaceDetector _detector = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        _detector = MtcnnFaceDetector.FromFolder(SharedFixtures.Path("fixtures", "mtcnn"));
        _encoder = FaceEncoder.FromWeights(weights, new FaceEncoderOptions { Preprocessing = PreprocessingMode.Fixed, Detector = _detector });
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _encoder?.Dispose();
        _detector?.Dispose();
    }

    [Test]
    public void Encoding_a_photo_equals_encoding_the_detectors_aligned_crop()
    {
        var photo = SharedFixtures.Path("fixtures", "faces", "photos", "multiface.jpg");
        using var image = ImageLoader.Load(photo);

        var all = _encoder.EncodeFaces(image);
        var largest = _encoder.Encode(image);
        var faces = _detector.DetectAndAlign(image, FacePolicy.All);
        try
        {
            Assert.That(all, Has.Count.EqualTo(faces.Count).And.Count.EqualTo(6));
            using var plain = new FaceEncoder(new FaceNetModelHandle(_encoder), new FaceEncoderOptions { Preprocessing = PreprocessingMode.Fixed });
            for (int i = 0; i < faces.Count; i++)
                Assert.That(all[i].Vector.ToArray(), Is.EqualTo(plain.Encode(faces[i].Crop).Vector.ToArray()).Within(1e-5f), $"face {i}");
            var biggest = _detector.DetectAndAlign(image, FacePolicy.Largest).Single();
            Assert.That(largest.Vector.ToArray(), Is.EqualTo(plain.Encode(biggest.Crop).Vector.ToArray()).Within(1e-5f));
            biggest.Dispose();
        }
        finally
        {
            foreach (var f in faces) f.Dispose();
        }
    }

    [Test]
    public void A_photo_without_a_face_gives_no_embeddings_or_a_clear_error()
    {
        using var flat = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(320, 240, new SixLabors.ImageSharp.PixelFormats.Rgb24(90, 120, 150));
        Assert.That(_encoder.EncodeFaces(flat), Is.Empty);
        var e = Assert.Throws<FaceDetectionException>(() => _encoder.Encode(flat));
        Assert.That(e!.Message, Does.Contain("no face"));
    }

    [Test]
    public void An_aligned_160x160_crop_is_not_detected_again_and_the_input_kind_can_be_declared()
    {
        using var photo = ImageLoader.Load(SharedFixtures.Path("fixtures", "faces", "photos", "kate_siegel.jpg"));
        using var crop = _detector.DetectAndAlign(photo, FacePolicy.Largest).Single();
        using var plain = new FaceEncoder(new FaceNetModelHandle(_encoder), new FaceEncoderOptions { Preprocessing = PreprocessingMode.Fixed });
        var direct = plain.Encode(crop.Crop).ToArray();

        // Auto: the 160x160 crop is taken as aligned (encoding it equals the plain encoder), the photo is detected.
        Assert.That(_encoder.Encode(crop.Crop).ToArray(), Is.EqualTo(direct).Within(1e-6f));
        Assert.That(_encoder.Encode(photo).ToArray(), Is.EqualTo(direct).Within(1e-6f));

        // Photo: a 160x160 image is searched for a face too (a flat one has none); Auto takes it as a crop.
        using var flat = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(160, 160, new SixLabors.ImageSharp.PixelFormats.Rgb24(90, 120, 150));
        using var always = new FaceEncoder(new FaceNetModelHandle(_encoder), new FaceEncoderOptions { Preprocessing = PreprocessingMode.Fixed, Detector = _detector, Input = FaceEncoderInput.Photo });
        Assert.Throws<FaceDetectionException>(() => always.Encode(flat));
        Assert.That(_encoder.Encode(flat).Dimension, Is.EqualTo(128));

        // Aligned: the photo is encoded whole, resized, as the caller declared.
        using var aligned = new FaceEncoder(new FaceNetModelHandle(_encoder), new FaceEncoderOptions { Preprocessing = PreprocessingMode.Fixed, Detector = _detector, Input = FaceEncoderInput.Aligned });
        Assert.That(aligned.Encode(photo).ToArray(), Is.EqualTo(plain.Encode(photo).ToArray()).Within(1e-6f));
    }

    [Test]
    public void P07_photo_input_without_a_detector_is_refused_when_the_encoder_is_created()
    {
        var e = Assert.Throws<ArgumentException>(() => new FaceEncoder(new FaceNetModelHandle(_encoder), new FaceEncoderOptions { Input = FaceEncoderInput.Photo }));
        Assert.That(e!.ParamName, Is.EqualTo("options"));
        Assert.That(e.Message, Does.Contain("Input is Photo but no Detector is set"));
    }

    [Test]
    public void P06_a_photo_file_without_a_face_is_an_error_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"facenet-flat-{Guid.NewGuid():N}.png");
        try
        {
            using (var flat = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(320, 240, new SixLabors.ImageSharp.PixelFormats.Rgb24(90, 120, 150)))
                SixLabors.ImageSharp.ImageExtensions.SaveAsPng(flat, path);
            var single = Assert.Throws<FaceDetectionException>(() => _encoder.Encode(path));
            Assert.That(single!.Message, Does.Contain(path).And.Contain("no face"));
            var batch = Assert.Throws<FaceDetectionException>(() => _encoder.EncodeBatch([SharedFixtures.Path("fixtures", "faces", "aligned", "kate_siegel.png"), path]));
            Assert.That(batch!.Message, Does.Contain(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void The_cli_verifies_a_photo_against_an_aligned_crop_with_mtcnn()
    {
        var result = FacenetCli.Run("verify",
            SharedFixtures.Path("fixtures", "faces", "photos", "kate_siegel.jpg"),
            SharedFixtures.Path("fixtures", "faces", "photos", "kate_siegel.jpg"),
            "--weights", SharedFixtures.Path("fixtures", "reference-128", "weights.h5"),
            "--mtcnn", SharedFixtures.Path("fixtures", "mtcnn"), "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.That(json.RootElement.GetProperty("distance").GetSingle(), Is.EqualTo(0f).Within(1e-4));
        Assert.That(json.RootElement.GetProperty("isMatch").GetBoolean(), Is.True);

        var missing = FacenetCli.Run("verify", "a.jpg", "b.jpg", "--weights", SharedFixtures.Path("fixtures", "reference-128", "weights.h5"),
            "--mtcnn", Path.Combine(Path.GetTempPath(), "no-such-mtcnn-folder"));
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.StandardError, Does.Contain("MTCNN weights folder"));
    }

    /// <summary>Shares the encoder's loaded network with a second, detector-less encoder (not owned).</summary>
    private sealed class FaceNetModelHandle(FaceEncoder owner) : IEmbeddingNetwork
    {
        private readonly IEmbeddingNetwork _inner = owner.Network;
        public int EmbeddingSize => _inner.EmbeddingSize;
        public string Fingerprint => _inner.Fingerprint;
        public PreprocessingMode? ExpectedPreprocessing => _inner.ExpectedPreprocessing;
        public TorchSharp.torch.Tensor Forward(TorchSharp.torch.Tensor batch) => _inner.Forward(batch);
        public void Dispose() { }
    }
}
