using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace FaceNet.Net.Detection;

/// <summary>
/// The three-stage MTCNN cascade on a batch of equally sized photos, following facenet-pytorch's
/// <c>detect_face</c>: a scale pyramid through P-Net, NMS 0.5 per scale and 0.7 per photo, regression and
/// squaring; 24x24 crops through R-Net, NMS 0.7, regression, squaring; 48x48 crops through O-Net,
/// landmarks, regression and NMS 0.7 with the "Min" overlap. Resampling is area interpolation
/// (adaptive average pooling) throughout.
/// </summary>
/// <remarks>Not thread-safe (the networks are shared): <see cref="MtcnnFaceDetector"/> holds a lock around <see cref="Run"/>.</remarks>
internal sealed class MtcnnCascade(PNet pnet, RNet rnet, ONet onet, FaceDetectorOptions options)
{
    private const double PerScaleNms = 0.5;
    private const double PerPhotoNms = 0.7;
    private const float OutputNms = 0.7f;

    /// <summary>The pyramid scales for a photo whose shorter side is <paramref name="shortSide"/> pixels.</summary>
    public static List<double> Scales(int shortSide, double minFaceSize, double factor)
    {
        var scales = new List<double>();
        double scale = 12.0 / minFaceSize;
        double minLength = shortSide * scale;
        while (minLength >= 12)
        {
            scales.Add(scale);
            scale *= factor;
            minLength *= factor;
        }
        return scales;
    }

    /// <summary>Detects faces in <paramref name="images"/> (N x 3 x H x W float32, 0..255); one list per photo.</summary>
    public List<DetectedFace>[] Run(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int batch = (int)images.shape[0], height = (int)images.shape[2], width = (int)images.shape[3];
        var results = Enumerable.Range(0, batch).Select(_ => new List<DetectedFace>()).ToArray();

        var boxes = Propose(images, batch, height, width);
        if (boxes.Count > 0) boxes = Refine(images, boxes, height, width);
        if (boxes.Count > 0)
        {
            foreach (var (box, landmarks) in Output(images, boxes, height, width))
                results[box.Image].Add(new DetectedFace(new FaceBox(box.X1, box.Y1, box.X2, box.Y2), box.Score, landmarks));
        }
        return results;
    }

    /// <summary>Stage 1: P-Net over the scale pyramid.</summary>
    private List<CandidateBox> Propose(Tensor images, int batch, int height, int width)
    {
        var candidates = new List<CandidateBox>();
        var scales = Scales(Math.Min(height, width), options.MinFaceSize, options.ScaleFactor);
        for (int s = 0; s < scales.Count; s++)
        {
            using var scope = NewDisposeScope();
            double scale = scales[s];
            int hs = (int)(height * scale + 1), ws = (int)(width * scale + 1);
            var input = (adaptive_avg_pool2d(images, [hs, ws]) - 127.5) * 0.0078125;
            var (regression, probability) = pnet.call(input);
            int rows = (int)probability.shape[2], columns = (int)probability.shape[3];
            var face = probability.select(1, 1).to(ScalarType.Float32).cpu().data<float>().ToArray();   // N x rows x columns
            var offsets = regression.to(ScalarType.Float32).cpu().data<float>().ToArray();             // N x 4 x rows x columns
            int plane = rows * columns;
            for (int b = 0; b < batch; b++)
            for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int at = b * plane + r * columns + c;
                float p = face[at];
                if (!(p >= (float)options.ProposalThreshold)) continue;
                var (x1, y1, x2, y2) = BoxGeometry.CellToBox(c, r, scale);
                int reg = b * 4 * plane + r * columns + c;
                candidates.Add(new CandidateBox
                {
                    X1 = x1, Y1 = y1, X2 = x2, Y2 = y2, Score = p,
                    Dx1 = offsets[reg], Dy1 = offsets[reg + plane], Dx2 = offsets[reg + 2 * plane], Dy2 = offsets[reg + 3 * plane],
                    Image = b, Group = s * batch + b,
                });
            }
        }

        candidates = Pick(candidates, NonMaxSuppression.Batched(candidates, c => c.Group, PerScaleNms));
        candidates = Pick(candidates, NonMaxSuppression.Batched(candidates, c => c.Image, PerPhotoNms));
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates);
        for (int i = 0; i < span.Length; i++)
        {
            BoxGeometry.RegressWithoutPlusOne(ref span[i]);
            BoxGeometry.Square(ref span[i]);
        }
        return candidates;
    }

    /// <summary>Stage 2: R-Net on 24x24 crops.</summary>
    private List<CandidateBox> Refine(Tensor images, List<CandidateBox> boxes, int height, int width)
    {
        using var scope = NewDisposeScope();
        boxes = Crops(images, boxes, height, width, 24, out var input);
        if (boxes.Count == 0) return boxes;
        var (regression, probability) = rnet.call(input);
        var face = probability.select(1, 1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var offsets = regression.to(ScalarType.Float32).cpu().data<float>().ToArray();

        var passed = new List<CandidateBox>();
        for (int i = 0; i < boxes.Count; i++)
        {
            if (!(face[i] > (float)options.RefinementThreshold)) continue;
            var b = boxes[i];
            b.Score = face[i];
            (b.Dx1, b.Dy1, b.Dx2, b.Dy2) = (offsets[4 * i], offsets[4 * i + 1], offsets[4 * i + 2], offsets[4 * i + 3]);
            passed.Add(b);
        }
        passed = Pick(passed, NonMaxSuppression.Batched(passed, c => c.Image, PerPhotoNms));
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(passed);
        for (int i = 0; i < span.Length; i++)
        {
            BoxGeometry.Regress(ref span[i]);
            BoxGeometry.Square(ref span[i]);
        }
        return passed;
    }

    /// <summary>Stage 3: O-Net on 48x48 crops, landmarks, final regression and "Min" NMS.</summary>
    private List<(CandidateBox Box, FacePoint[] Landmarks)> Output(Tensor images, List<CandidateBox> boxes, int height, int width)
    {
        using var scope = NewDisposeScope();
        boxes = Crops(images, boxes, height, width, 48, out var input);
        if (boxes.Count == 0) return [];
        var (regression, points, probability) = onet.call(input);
        var face = probability.select(1, 1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var offsets = regression.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var marks = points.to(ScalarType.Float32).cpu().data<float>().ToArray();

        var passed = new List<CandidateBox>();
        var landmarks = new List<FacePoint[]>();
        for (int i = 0; i < boxes.Count; i++)
        {
            if (!(face[i] > (float)options.OutputThreshold)) continue;
            var b = boxes[i];
            b.Score = face[i];
            (b.Dx1, b.Dy1, b.Dx2, b.Dy2) = (offsets[4 * i], offsets[4 * i + 1], offsets[4 * i + 2], offsets[4 * i + 3]);
            // Landmarks are relative to the box O-Net saw (before its own regression).
            float w = b.X2 - b.X1 + 1f, h = b.Y2 - b.Y1 + 1f;
            var pointsOfFace = new FacePoint[DetectedFace.LandmarkCount];
            for (int k = 0; k < pointsOfFace.Length; k++)
                pointsOfFace[k] = new FacePoint(w * marks[10 * i + k] + b.X1 - 1f, h * marks[10 * i + 5 + k] + b.Y1 - 1f);
            BoxGeometry.Regress(ref b);
            passed.Add(b);
            landmarks.Add(pointsOfFace);
        }
        var pick = NonMaxSuppression.BatchedMin(passed, c => c.Image, OutputNms);
        return pick.Select(i => (passed[i], landmarks[i])).ToList();
    }

    /// <summary>
    /// Cuts each box's window (clamped to the photo) and resizes it to size x size with area interpolation,
    /// scaled to the networks' input range. Boxes entirely outside the photo are dropped (facenet-pytorch
    /// would fail on them). Returns the boxes that were cropped, in order.
    /// </summary>
    private static List<CandidateBox> Crops(Tensor images, List<CandidateBox> boxes, int height, int width, int size, out Tensor input)
    {
        var kept = new List<CandidateBox>(boxes.Count);
        var crops = new List<Tensor>(boxes.Count);
        foreach (var b in boxes)
        {
            if (!BoxGeometry.CropWindow(b, width, height, out int x, out int y, out int ex, out int ey)) continue;
            using var window = images.narrow(0, b.Image, 1).narrow(2, y, ey - y).narrow(3, x, ex - x);
            crops.Add(adaptive_avg_pool2d(window, [size, size]));
            kept.Add(b);
        }
        input = kept.Count == 0 ? empty(0) : (cat(crops, 0) - 127.5) * 0.0078125;
        return kept;
    }

    private static List<CandidateBox> Pick(List<CandidateBox> boxes, List<int> indices) => indices.Select(i => boxes[i]).ToList();
}
