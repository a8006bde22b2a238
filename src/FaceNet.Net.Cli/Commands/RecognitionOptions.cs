using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Imaging;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>The options shared by verify, enroll, identify and gallery, and their parsing.</summary>
internal static class RecognitionOptions
{
    public static Option<string?> Weights() => new("--weights")
    {
        Description = "Weights: a file (Keras .h5, facenet-pytorch .pt, converted .safetensors) or a catalogue name fetched on first use (default: vggface2; see 'facenet weights list')",
    };

    public static Option<string?> Preprocess()
    {
        var option = new Option<string?>("--preprocess")
        {
            Description = "Pixel preprocessing: fixed, unit or prewhiten (default: the weights' own convention, else prewhiten)",
        };
        option.AcceptOnlyFromAmong("fixed", "unit", "prewhiten");
        return option;
    }

    public static Option<string?> Mtcnn() => new("--mtcnn")
    {
        Description = "MTCNN weights (a folder with pnet, rnet, onet, or the catalogue name mtcnn) for the inputs that are photos (not 160x160 aligned crops): their faces are detected, aligned as facenet-pytorch does and encoded (default: mtcnn when it is in the cache, or with the default weights)",
    };

    public static Option<string> Metric()
    {
        var option = new Option<string>("--metric")
        {
            Description = "Distance: euclidean (default, on L2-normalised embeddings), squared-euclidean or cosine",
            DefaultValueFactory = _ => "euclidean",
        };
        option.AcceptOnlyFromAmong("euclidean", "squared-euclidean", "cosine");
        return option;
    }

    public static Option<float?> Threshold() => new("--threshold")
    {
        Description = "Match when the distance is below this (default: the threshold published for catalogue weights, see 'facenet weights list'; else euclidean 0.7, squared-euclidean 0.49, cosine 0.40)",
    };

    public static Option<string> Gallery() => new("--gallery")
    {
        Description = "Gallery file",
        Required = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON" };

    public static PreprocessingMode? ParsePreprocess(string? value) =>
        value is null ? null
        : PreprocessingModeNames.TryParse(value, out var mode) ? mode
        : throw new UsageException($"unknown preprocessing '{value}' (fixed, unit or prewhiten)");

    public static DistanceMetric ParseMetric(string? value) => value switch
    {
        null or "euclidean" => DistanceMetric.Euclidean,
        "squared-euclidean" => DistanceMetric.SquaredEuclidean,
        "cosine" => DistanceMetric.Cosine,
        _ => throw new UsageException($"unknown metric '{value}' (euclidean, squared-euclidean or cosine)"),
    };

    public static string Name(DistanceMetric metric) => metric switch
    {
        DistanceMetric.Euclidean => "euclidean",
        DistanceMetric.SquaredEuclidean => "squared-euclidean",
        DistanceMetric.Cosine => "cosine",
        _ => metric.ToString(),
    };

    /// <summary>
    /// The threshold to decide with: <c>--threshold</c> when given, else the one published for the catalogue weights
    /// <paramref name="weights"/> names (the default weights when null; a file by its catalogue file name), else null (the
    /// library's default for the metric).
    /// </summary>
    public static float? ThresholdFor(float? threshold, string? weights, DistanceMetric metric)
    {
        if (CheckThreshold(threshold) is float given) return given;
        var entry = weights is null ? Pretrained.PretrainedCatalog.Find(Pretrained.PretrainedCatalog.DefaultFaceNet)
            : File.Exists(weights) ? Pretrained.PretrainedCatalog.FindByFileName(weights)
            : Pretrained.PretrainedCatalog.Find(weights);
        return metric switch
        {
            DistanceMetric.Euclidean => entry?.EuclideanThreshold,
            DistanceMetric.SquaredEuclidean => entry?.EuclideanThreshold is float e ? e * e : null,
            DistanceMetric.Cosine => entry?.CosineThreshold,
            _ => null,
        };
    }

    public static float? CheckThreshold(float? threshold)
    {
        if (threshold is float t && (!float.IsFinite(t) || t <= 0))
            throw new UsageException($"--threshold must be a positive number (got {t})");
        return threshold;
    }

    /// <summary>
    /// Creates the encoder from <c>--weights</c> and <c>--mtcnn</c> resolved to local paths (<see cref="WeightsSource"/>:
    /// a path that exists, else a catalogue name or URL fetched into the cache). Without <c>--weights</c> the default
    /// weights (vggface2) are used, and then, without <c>--mtcnn</c>, the default MTCNN weights too: the main job,
    /// <c>facenet verify a.jpg b.jpg</c>, starts from photos. The catalogue's preprocessing applies unless
    /// <c>--preprocess</c> says otherwise.
    /// </summary>
    /// <param name="useDefaultMtcnn">Whether a missing <c>--mtcnn</c> means the catalogue's <c>mtcnn</c> (fetched on first
    /// use, unless offline) rather than no detector; null: when <c>--weights</c> is missing too, and otherwise the cached
    /// <c>mtcnn</c> if it is there (no download); false: no detector (<c>--aligned</c>).</param>
    public static Embeddings.IFaceEncoder OpenEncoder(CreateEncoder factory, ParseResult parse, string? weights, string? preprocess, string? mtcnn,
        bool? useDefaultMtcnn = null)
    {
        var mode = ParsePreprocess(preprocess);
        var resolved = WeightsSource.ResolveWeights(parse, weights);
        var mtcnnFolder = WeightsSource.ResolveMtcnn(parse, mtcnn, useDefault: useDefaultMtcnn ?? weights is null)
            ?? (useDefaultMtcnn == false ? null : WeightsSource.CachedMtcnn(parse));
        return factory(resolved.Path, mode ?? resolved.Preprocessing, mtcnnFolder);
    }

    /// <summary>Refuses a <c>--mtcnn</c> folder that does not exist (null: no detection asked for).</summary>
    public static void CheckMtcnnFolder(string? mtcnn)
    {
        if (mtcnn is not null && !Directory.Exists(mtcnn)) throw new UsageException($"MTCNN weights folder '{mtcnn}' does not exist");
    }
}
