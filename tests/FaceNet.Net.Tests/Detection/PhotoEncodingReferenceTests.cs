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
