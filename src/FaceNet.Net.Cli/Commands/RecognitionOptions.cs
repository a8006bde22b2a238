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
        Description = "Match when the distance is below this (default: the threshold published for catalogue weights, see 'facenet weights list'; else euclidean 0.7, squared-euclidean 0.49, cosine 0.40; "
            + "at most 2 for euclidean and cosine, 4 for squared-euclidean)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
                return value;
            result.AddError($"--threshold must be a number such as 0.7, got '{text}'");
            return null;
        },
    };

    public static Option<string> Gallery() => new("--gallery")
    {
        Description = "The gallery: a gallery file, or a PostgreSQL gallery (postgresql://user@host/db?schema=name or Host=...;Database=...; the password from PGPASSWORD, PGPASSFILE or ~/.pgpass)",
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
        if (CheckThreshold(threshold, metric) is float given) return given;
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

    /// <summary>The largest distance <paramref name="metric"/> gives between unit vectors (opposite vectors).</summary>
    public static float MaxDistance(DistanceMetric metric) => metric == DistanceMetric.SquaredEuclidean ? 4f : 2f;

    /// <summary>
    /// Refuses a threshold outside (0, largest distance]: embeddings are unit vectors, so Euclidean distances lie in
    /// [0, 2], squared Euclidean in [0, 4] and cosine distances in [0, 2]; a larger threshold would match everyone.
    /// </summary>
    public static float? CheckThreshold(float? threshold, DistanceMetric metric)
    {
        if (threshold is not float t) return null;
        float max = MaxDistance(metric);
        if (!float.IsFinite(t) || t <= 0 || t > max)
            throw new UsageException($"--threshold {t.ToString(System.Globalization.CultureInfo.InvariantCulture)} is out of range for the {Name(metric)} distance: "
                + $"give a number above 0 and at most {max} (distances between unit vectors lie in [0, {max}])");
        return t;
    }

    /// <summary>Checks a <c>--name</c> value (not blank, no control characters, not too long).</summary>
    public static string CheckName(string name)
    {
        try
        {
            InMemoryFaceGallery.ValidateName(name);
            return name;
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--name '{name}' is not a valid identity name: {Sentence(e)} Give the person's name.");
        }
    }

    /// <summary>An <see cref="ArgumentException"/>'s message without its "(Parameter 'x')" suffix.</summary>
    public static string Sentence(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

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
        if (mtcnn is null || Directory.Exists(mtcnn)) return;
        if (File.Exists(mtcnn))
            throw new UsageException($"--mtcnn '{mtcnn}' is a file: give the folder that holds the MTCNN weights (pnet, rnet, onet)");
        throw new UsageException($"MTCNN weights folder '{mtcnn}' does not exist: give the folder that holds pnet, rnet and onet");
    }
}
