using System.CommandLine;
using FaceNet.Net.CommandLine;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// The options that say what the input images are and which face of a photo to use, shared by encode, verify, enroll
/// and identify. The rule: an image of exactly 160x160 pixels is taken as an aligned face crop, any other image as a
/// photo whose faces MTCNN finds (<c>--aligned</c> and <c>--detect</c> override it for every input).
/// </summary>
internal static class FaceOptions
{
    /// <summary>The side of an aligned face crop, the size the rule takes as "already a face".</summary>
    public const int AlignedSize = 160;

    public static Option<bool> Aligned() => new("--aligned")
    {
        Description = "Every input is an aligned face crop (encoded as is, resized to 160x160 when needed): no face detection",
    };

    public static Option<bool> Detect() => new("--detect")
    {
        Description = "Every input is a photo: detect its faces even when it is 160x160 (default: 160x160 images are aligned crops, others are detected)",
    };

    /// <summary>The <c>--face</c> option; <paramref name="allowAll"/> adds the value <c>all</c> (encode).</summary>
    public static Option<string?> Face(bool allowAll, string defaultText) => new("--face")
    {
        Description = $"Which face of a photo with several: largest, {(allowAll ? "all, " : "")}or N (1-based, most probable first, as 'facenet detect' lists them; a one-face photo uses its face); default: {defaultText}",
    };

    /// <summary>Parses <c>--face</c>: null (not given), largest, all (when allowed) or a positive index.</summary>
    public static FaceChoice? ParseFace(string? value, bool allowAll)
    {
        if (value is null) return null;
        var v = value.Trim().ToLowerInvariant();
        if (v == "largest") return FaceChoice.Largest;
        if (v == "all" && allowAll) return FaceChoice.All;
        if (int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= 1)
            return FaceChoice.Index(n);
        throw new UsageException($"--face must be largest, {(allowAll ? "all, " : "")}or a face number from 1 (got '{value}')");
    }

    /// <summary>
    /// The reader of a command's inputs: the detector of <paramref name="encoder"/> (from the MTCNN folder the encoder
    /// factory was given), none with <c>--aligned</c>.
    /// </summary>
    public static InputFaces Reader(Embeddings.IFaceEncoder encoder, bool aligned, bool detect) =>
        new(aligned ? null : (encoder as Embeddings.FaceEncoder)?.Options.Detector, aligned, detect);

    /// <summary>Refuses <c>--aligned</c> together with <c>--detect</c>.</summary>
    public static void CheckKind(bool aligned, bool detect)
    {
        if (aligned && detect) throw new UsageException("--aligned and --detect contradict each other: give one of them");
    }
}
