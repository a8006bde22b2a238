namespace FaceNet.Net.Detection;

/// <summary>
/// Non-maximum suppression as the reference uses it, in float32: torchvision's <c>batched_nms</c> (IoU with
/// areas (x2 − x1)(y2 − y1), a box is dropped when its IoU with a kept one is above the threshold) and
/// facenet-pytorch's numpy <c>nms</c> with the "Min" overlap (areas with +1, intersection / smaller area,
/// kept while ≤ threshold). Both run independently per group: boxes of different groups never suppress
/// each other. The result is the kept indices, highest score first.
/// </summary>
internal static class NonMaxSuppression
{
    /// <summary>torchvision switches from the coordinate-offset trick to a per-group loop above this many boxes (CPU).</summary>
    private const int CoordinateTrickLimit = 1000;

    /// <summary>torchvision <c>batched_nms(boxes, scores, groups, threshold)</c>.</summary>
    public static List<int> Batched(IReadOnlyList<CandidateBox> boxes, Func<CandidateBox, int> group, double threshold)
    {
        int n = boxes.Count;
        if (n == 0) return [];
        if (n > CoordinateTrickLimit)
        {
            // Per-group NMS, then all kept indices sorted by score (descending).
            var kept = new List<int>();
            foreach (var members in Enumerable.Range(0, n).GroupBy(i => group(boxes[i])))
            {
                var indices = members.ToArray();
                var x1 = indices.Select(i => boxes[i].X1).ToArray();
                var y1 = indices.Select(i => boxes[i].Y1).ToArray();
                var x2 = indices.Select(i => boxes[i].X2).ToArray();
                var y2 = indices.Select(i => boxes[i].Y2).ToArray();
                var s = indices.Select(i => boxes[i].Score).ToArray();
                kept.AddRange(IoU(x1, y1, x2, y2, s, threshold).Select(k => indices[k]));
            }
            kept.Sort();
            return kept.OrderByDescending(i => boxes[i].Score).ToList();
        }
        else
        {
            // Offset each group by group × (max coordinate + 1) so groups cannot overlap, then one NMS.
            var (x1, y1, x2, y2) = Offset(boxes, group);
            var s = boxes.Select(b => b.Score).ToArray();
            return IoU(x1, y1, x2, y2, s, threshold);
        }
    }

    /// <summary>facenet-pytorch's <c>batched_nms_numpy(..., 'Min')</c>, used after O-Net.</summary>
    public static List<int> BatchedMin(IReadOnlyList<CandidateBox> boxes, Func<CandidateBox, int> group, float threshold)
    {
        if (boxes.Count == 0) return [];
        var (x1, y1, x2, y2) = Offset(boxes, group);
        int n = boxes.Count;
        var area = new float[n];
        for (int i = 0; i < n; i++) area[i] = (x2[i] - x1[i] + 1f) * (y2[i] - y1[i] + 1f);

        // Ascending by score (stable); the last one is the next kept.
        var order = Enumerable.Range(0, n).OrderBy(i => boxes[i].Score).ToList();
        var pick = new List<int>();
        while (order.Count > 0)
        {
            int i = order[^1];
            pick.Add(i);
            var rest = new List<int>(order.Count - 1);
            for (int k = 0; k < order.Count - 1; k++)
            {
                int j = order[k];
                float w = Math.Max(0f, Math.Min(x2[i], x2[j]) - Math.Max(x1[i], x1[j]) + 1f);
                float h = Math.Max(0f, Math.Min(y2[i], y2[j]) - Math.Max(y1[i], y1[j]) + 1f);
                float overlap = w * h / Math.Min(area[i], area[j]);
                if (overlap <= threshold) rest.Add(j);
            }
            order = rest;
        }
        return pick;
    }

    private static (float[] X1, float[] Y1, float[] X2, float[] Y2) Offset(IReadOnlyList<CandidateBox> boxes, Func<CandidateBox, int> group)
    {
        float max = float.MinValue;
        foreach (var b in boxes) max = Math.Max(max, Math.Max(Math.Max(b.X1, b.Y1), Math.Max(b.X2, b.Y2)));
        int n = boxes.Count;
        float[] x1 = new float[n], y1 = new float[n], x2 = new float[n], y2 = new float[n];
        for (int i = 0; i < n; i++)
        {
            float offset = group(boxes[i]) * (max + 1f);
            x1[i] = boxes[i].X1 + offset;
            y1[i] = boxes[i].Y1 + offset;
            x2[i] = boxes[i].X2 + offset;
            y2[i] = boxes[i].Y2 + offset;
        }
        return (x1, y1, x2, y2);
    }

    /// <summary>torchvision's CPU <c>nms</c> kernel: stable descending score order, suppress IoU &gt; threshold.</summary>
    private static List<int> IoU(float[] x1, float[] y1, float[] x2, float[] y2, float[] scores, double threshold)
    {
        int n = scores.Length;
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ToArray();
        var area = new float[n];
        for (int i = 0; i < n; i++) area[i] = (x2[i] - x1[i]) * (y2[i] - y1[i]);
        var suppressed = new bool[n];
        var keep = new List<int>();
        for (int a = 0; a < n; a++)
        {
            int i = order[a];
            if (suppressed[i]) continue;
            keep.Add(i);
            for (int b = a + 1; b < n; b++)
            {
                int j = order[b];
                if (suppressed[j]) continue;
                float w = Math.Max(0f, Math.Min(x2[i], x2[j]) - Math.Max(x1[i], x1[j]));
                float h = Math.Max(0f, Math.Min(y2[i], y2[j]) - Math.Max(y1[i], y1[j]));
                float inter = w * h;
                float iou = inter / (area[i] + area[j] - inter);
                if (iou > threshold) suppressed[j] = true;
            }
        }
        return keep;
    }
}
