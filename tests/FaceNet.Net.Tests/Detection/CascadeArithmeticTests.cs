using FaceNet.Net.Detection;

namespace FaceNet.Net.Tests.Detection;

/// <summary>The cascade's box arithmetic, NMS and options, on hand-computed cases.</summary>
public class CascadeArithmeticTests
{
    private static CandidateBox Box(float x1, float y1, float x2, float y2, float score, int group = 0) =>
        new() { X1 = x1, Y1 = y1, X2 = x2, Y2 = y2, Score = score, Group = group, Image = group };

    [Test]
    public void The_pyramid_starts_at_12_over_min_face_and_stops_below_12_pixels()
    {
        var scales = MtcnnCascade.Scales(shortSide: 100, minFaceSize: 20, factor: 0.709);
        // 100 * 0.6 = 60, then 42.5, 30.2, 21.4, 15.2, 10.7 (< 12: stop)
        Assert.That(scales, Has.Count.EqualTo(5));
        Assert.That(scales[0], Is.EqualTo(0.6));
        Assert.That(scales[4], Is.EqualTo(0.6 * Math.Pow(0.709, 4)).Within(1e-12));
        Assert.That(MtcnnCascade.Scales(shortSide: 19, minFaceSize: 20, factor: 0.709), Is.Empty);
    }

    [Test]
    public void A_pnet_cell_maps_to_a_12_pixel_window_in_the_photo()
    {
        // Cell (3, 5) at scale 0.5: ((2*3+1)/0.5, (2*5+1)/0.5) .. ((2*3+12)/0.5, (2*5+12)/0.5), floored.
        Assert.That(BoxGeometry.CellToBox(3, 5, 0.5), Is.EqualTo((14f, 22f, 36f, 44f)));
    }

    [Test]
    public void Squaring_keeps_the_centre_and_takes_the_longer_side()
    {
        var b = Box(10, 20, 30, 60, 1);
        BoxGeometry.Square(ref b);
        Assert.That((b.X1, b.Y1, b.X2, b.Y2), Is.EqualTo((0f, 20f, 40f, 60f)));
    }

    [Test]
    public void Regression_uses_the_box_size_plus_one()
    {
        var b = Box(10, 10, 19, 29, 1);
        (b.Dx1, b.Dy1, b.Dx2, b.Dy2) = (0.1f, -0.1f, 0.2f, 0.5f);
        BoxGeometry.Regress(ref b);
        Assert.That((b.X1, b.Y1, b.X2, b.Y2), Is.EqualTo((11f, 8f, 21f, 39f)));
    }

    [Test]
    public void The_crop_window_is_clamped_to_the_photo()
    {
        // A box hanging over the top-left and bottom-right corners of a 100x80 photo.
        Assert.That(BoxGeometry.CropWindow(Box(-8.3f, -2.9f, 120.7f, 90.2f, 1), 100, 80, out int x, out int y, out int ex, out int ey), Is.True);
        Assert.That((x, y, ex, ey), Is.EqualTo((0, 0, 100, 80)));
        // Inside: truncated corners, the window starts one pixel before the truncated x1 (MATLAB-style 1-based origin).
        Assert.That(BoxGeometry.CropWindow(Box(10.7f, 20.2f, 30.9f, 41.5f, 1), 100, 80, out x, out y, out ex, out ey), Is.True);
        Assert.That((x, y, ex, ey), Is.EqualTo((9, 19, 30, 41)));
        // Entirely left of the photo: nothing to crop.
        Assert.That(BoxGeometry.CropWindow(Box(-50, 10, -20, 40, 1), 100, 80, out _, out _, out _, out _), Is.False);
    }

    [Test]
    public void Iou_nms_keeps_the_best_of_overlapping_boxes_and_respects_groups()
    {
        var boxes = new[]
        {
            Box(0, 0, 10, 10, 0.8f),
            Box(1, 1, 11, 11, 0.9f),        // IoU with the first 81/119 = 0.68
            Box(20, 20, 30, 30, 0.7f),
            Box(1, 1, 11, 11, 0.95f, group: 1),
        };
        Assert.That(NonMaxSuppression.Batched(boxes, b => 0, 0.5), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(NonMaxSuppression.Batched(boxes, b => b.Group, 0.5), Is.EqualTo(new[] { 3, 1, 2 }));
        Assert.That(NonMaxSuppression.Batched(boxes, b => b.Group, 0.7), Is.EqualTo(new[] { 3, 1, 0, 2 }));
    }

    [Test]
    public void Min_nms_measures_overlap_against_the_smaller_box()
    {
        // A small box inside a big one: IoU is small, but the overlap over the smaller area is 1.
        var boxes = new[] { Box(0, 0, 99, 99, 0.99f), Box(10, 10, 29, 29, 0.9f) };
        Assert.That(NonMaxSuppression.BatchedMin(boxes, b => 0, 0.7f), Is.EqualTo(new[] { 0 }));
        Assert.That(NonMaxSuppression.Batched(boxes, b => 0, 0.7), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Options_out_of_range_are_refused_with_the_setting_named()
    {
        var bad = new (FaceDetectorOptions Options, string Name)[]
        {
            (new() { MinFaceSize = 0 }, "MinFaceSize"),
            (new() { ProposalThreshold = 1.5 }, "ProposalThreshold"),
            (new() { OutputThreshold = double.NaN }, "OutputThreshold"),
            (new() { ScaleFactor = 1 }, "ScaleFactor"),
            (new() { CropSize = 0 }, "CropSize"),
            (new() { Margin = 160 }, "Margin"),
            (new() { FacePolicy = (FacePolicy)7 }, "FacePolicy"),
        };
        foreach (var (options, name) in bad)
            Assert.That(() => options.Validate(), Throws.TypeOf<FaceDetectionException>().With.Message.Contains(name), name);
        Assert.That(() => new FaceDetectorOptions().Validate(), Throws.Nothing);
    }

    [Test]
    public void A_bad_device_name_fails_before_any_weight_file_is_read()
    {
        var options = new FaceDetectorOptions { Device = "gpu" };
        Assert.That(() => new MtcnnFaceDetector("no-pnet", "no-rnet", "no-onet", options),
            Throws.TypeOf<Devices.DeviceNotAvailableException>().With.Message.EqualTo("Device 'gpu' is not valid: use cpu, cuda, cuda:N or auto."));
    }
}
