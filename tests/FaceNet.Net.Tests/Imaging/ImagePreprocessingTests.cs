using FaceNet.Net.Imaging;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>The three preprocessing formulas and the image → tensor layout.</summary>
public class ImagePreprocessingTests
{
    [Test]
    public void Fixed_and_unit_follow_their_formulas()
    {
        byte[] rgb = [0, 127, 255];
        Assert.That(ImagePreprocessing.Preprocess(rgb, PreprocessingMode.Fixed), Is.EqualTo(new[] { -127.5f / 128, -0.5f / 128, 127.5f / 128 }));
        Assert.That(ImagePreprocessing.Preprocess(rgb, PreprocessingMode.Unit), Is.EqualTo(new[] { 0f, 127f / 255, 1f }));
    }

    [Test]
    public void Prewhiten_uses_population_std_with_a_floor()
    {
        byte[] rgb = [10, 20, 30, 40];
        var result = ImagePreprocessing.Preprocess(rgb, PreprocessingMode.Prewhiten);
        double std = Math.Sqrt((15 * 15 + 5 * 5 + 5 * 5 + 15 * 15) / 4.0);
        Assert.That(result, Is.EqualTo(new[] { -15 / std, -5 / std, 5 / std, 15 / std }.Select(v => (float)v)).Within(1e-6));
        // A flat image: std 0 → divided by 1/sqrt(N), values 0.
        Assert.That(ImagePreprocessing.Preprocess(new byte[] { 7, 7, 7, 7 }, PreprocessingMode.Prewhiten), Is.All.EqualTo(0f));
    }

    [Test]
    public void Modes_parse_by_name_and_unknown_names_are_refused()
    {
        Assert.That(ImagePreprocessing.ParseMode("PreWhiten"), Is.EqualTo(PreprocessingMode.Prewhiten));
        Assert.That(ImagePreprocessing.Name(PreprocessingMode.Fixed), Is.EqualTo("fixed"));
        Assert.Throws<ArgumentException>(() => ImagePreprocessing.ParseMode("standard"));
    }

    [Test]
    public void Hwc_values_become_nchw()
    {
        var hwc = Enumerable.Range(0, 75 * 80 * 3).Select(i => (float)i).ToArray();
        using var t = ImagePreprocessing.ToNchw(hwc, 75, 80);
        Assert.That(t.shape, Is.EqualTo(new long[] { 1, 3, 75, 80 }));
        // pixel (y=2, x=5), channel 1 is hwc[(2*80+5)*3+1]
        Assert.That(t[0, 1, 2, 5].item<float>(), Is.EqualTo(hwc[(2 * 80 + 5) * 3 + 1]));
    }

    [Test]
    public void A_file_that_is_not_an_image_is_a_library_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("not-an-image.png");
        File.WriteAllText(path, "hello");
        Assert.Throws<FaceNetException>(() => ImagePreprocessing.LoadRgb(path));
    }
}
