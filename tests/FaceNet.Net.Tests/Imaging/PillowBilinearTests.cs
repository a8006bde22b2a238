using FaceNet.Net.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Imaging;

/// <summary>
/// The face-crop resize reproduces Pillow's <c>resize(size, BILINEAR)</c> byte for byte. The expected bytes were
/// computed with Pillow 9.4 (the version facenet-pytorch's reference output was made with); the 4 → 2 case is also
/// worked out by hand in the test.
/// </summary>
public class PillowBilinearTests
{
    [Test]
    public void Shrinking_widens_the_triangle_filter_as_Pillow_does()
    {
        // Output 0: centre 1.0, support 2, taps x = 0, 1, 2 with weights 0.75, 0.75, 0.25 → (0·3 + 70·3 + 140) / 7 = 50.
        // Output 1: centre 3.0, taps x = 1, 2, 3 with weights 0.25, 0.75, 0.75 → (70 + 140·3 + 210·3) / 7 = 160.
        byte[] row = [0, 255, 7, 70, 0, 7, 140, 255, 7, 210, 0, 7];
        Assert.That(PillowBilinear.Resize(row, 4, 1, 2, 1), Is.EqualTo(new byte[] { 50, 146, 7, 160, 109, 7 }));
    }

    [Test]
    public void Enlarging_matches_Pillow()
    {
        var source = Enumerable.Range(0, 18).Select(i => (byte)(i * 13)).ToArray(); // 3x2 RGB
        byte[] expected =
        [
            0, 13, 26, 16, 29, 42, 39, 52, 65, 62, 75, 88, 78, 91, 104,
            29, 42, 55, 45, 58, 71, 68, 81, 94, 91, 104, 117, 107, 120, 133,
            88, 101, 114, 104, 117, 130, 127, 140, 153, 150, 163, 176, 166, 179, 192,
            117, 130, 143, 133, 146, 159, 156, 169, 182, 179, 192, 205, 195, 208, 221,
        ];
        Assert.That(PillowBilinear.Resize(source, 3, 2, 5, 4), Is.EqualTo(expected));
    }

    [Test]
    public void Shrinking_noise_in_both_directions_matches_Pillow_including_the_intermediate_rounding()
    {
        byte[] source =
        [
            168, 229, 184, 171, 238, 171, 20, 206, 245, 153, 204, 5, 37, 53, 213, 206, 192, 173, 6, 120, 63, 96, 236, 131, 118, 4, 87,
            161, 124, 71, 42, 73, 237, 16, 194, 250, 10, 103, 206, 13, 143, 2, 38, 71, 133, 118, 36, 98, 196, 35, 57, 146, 50, 179,
            145, 104, 206, 53, 141, 33, 181, 39, 151, 11, 180, 138, 66, 0, 165, 98, 123, 12, 144, 184, 24, 38, 129, 1, 202, 255, 85,
            54, 228, 48, 127, 169, 1, 167, 109, 247, 16, 192, 78, 220, 8, 60, 189, 181, 64, 72, 8, 185, 88, 111, 191, 138, 99,
            67, 48, 68, 100, 249, 67, 40, 127, 45, 33, 51, 206, 229, 217, 85, 53, 204, 120, 134, 31, 216, 14, 127, 160, 29, 208, 161,
            116, 100, 83, 151, 198, 160, 173, 193, 54, 126, 126, 57, 118, 170, 107, 131, 59, 173, 52, 139, 181, 169, 63, 196, 144, 15,
            138, 137, 135, 245, 15, 140, 59, 142, 252, 140, 76, 231, 51, 218, 125, 69, 151, 117, 140, 92, 189, 209, 48, 225, 71, 217, 216, 47, 124,
        ]; // 9x7 RGB
        byte[] expected = [109, 154, 170, 56, 140, 151, 86, 109, 102, 126, 103, 92, 121, 127, 90, 104, 117, 125, 131, 112, 86, 116, 132, 97, 159, 112, 109, 167, 89, 136, 131, 148, 101, 132, 142, 128];
        Assert.That(PillowBilinear.Resize(source, 9, 7, 4, 3), Is.EqualTo(expected));
    }

    [Test]
    public void The_same_size_is_a_copy_and_a_window_is_cut_before_resizing()
    {
        var source = Enumerable.Range(0, 27).Select(i => (byte)(i * 9)).ToArray();
        var copy = PillowBilinear.Resize(source, 3, 3, 3, 3);
        Assert.That(copy, Is.EqualTo(source));
        Assert.That(copy, Is.Not.SameAs(source));

        using var image = Image.LoadPixelData<Rgb24>(source, 3, 3);
        using var window = PillowBilinear.CropAndResize(image, 1, 1, 2, 2, 2, 2);
        Assert.That(window[0, 0], Is.EqualTo(image[1, 1]));
        Assert.That(window[1, 1], Is.EqualTo(image[2, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PillowBilinear.CropAndResize(image, 2, 2, 2, 2, 4, 4));
    }
}
