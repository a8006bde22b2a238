using System.Text.RegularExpressions;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using FaceNet.Net.Pretrained;
using FaceNet.Net.Recognition;
using Microsoft.Extensions.Options;

namespace FaceNet.Net.Hosting;

/// <summary>
/// Checks <see cref="FaceNetOptions"/> when the host starts (<c>ValidateOnStart</c>): every failure names the
/// configuration key, the value, and the fix. Stateless apart from the registered gallery factories; thread-safe.
/// </summary>
internal sealed partial class FaceNetOptionsValidator(IEnumerable<IFaceGalleryFactory> galleryFactories) : IValidateOptions<FaceNetOptions>
{
    private const string Key = FaceNetOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, FaceNetOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Weights))
            failures.Add($"{Key}:Weights is not set: set it (environment {Key}__Weights) to a weight file (.h5, .pt, .safetensors) or a catalogue name ({CatalogueNames(PretrainedKind.FaceNet)}).");
        else if (!File.Exists(options.Weights) && PretrainedCatalog.Find(options.Weights) is not { Kind: PretrainedKind.FaceNet })
            failures.Add(Directory.Exists(options.Weights)
                ? $"{Key}:Weights '{options.Weights}' is a directory: name the weight file in it."
                : $"{Key}:Weights '{options.Weights}' is neither an existing file nor a catalogue name ({CatalogueNames(PretrainedKind.FaceNet)}): fix the path.");

        if (options.Mtcnn is { } mtcnn && !Directory.Exists(mtcnn) && PretrainedCatalog.Find(mtcnn) is not { Kind: PretrainedKind.Mtcnn })
            failures.Add($"{Key}:Mtcnn '{mtcnn}' is neither an existing folder (with pnet, rnet, onet) nor the catalogue name 'mtcnn': fix the path, or remove the key to take every image as an aligned face crop.");

        if (options.Preprocessing is { } preprocessing && !PreprocessingModeNames.TryParse(preprocessing, out _))
            failures.Add($"{Key}:Preprocessing '{preprocessing}' is not fixed, unit or prewhiten: use one of them, or remove the key to use what the weights record.");

        if (!DeviceForm().IsMatch(options.Device ?? ""))
            failures.Add($"{Key}:Device '{options.Device}' is not cpu, cuda, cuda:N or auto.");
        if (!Enum.IsDefined(options.Precision))
            failures.Add($"{Key}:Precision '{options.Precision}' is not Float32, Float16, BFloat16, Int8 or Auto.");
        if (options.Precision == Precision.Int8 && (options.Device ?? "").StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
            failures.Add($"{Key}:Precision Int8 runs on the CPU only, and {Key}:Device is '{options.Device}': use Float32, Float16 or BFloat16 on CUDA, or Device cpu.");
        if (options.Precision == Precision.Int8 && options.Backend != InferenceBackend.Auto)
            failures.Add($"{Key}:Precision Int8 runs on the oneDNN backend only, and {Key}:Backend is {options.Backend}: remove the Backend key (Auto).");
        if (!Enum.IsDefined(options.Backend))
            failures.Add($"{Key}:Backend '{options.Backend}' is not Auto, Eager or Unfolded.");

        if (options.Threshold is { } threshold && (!float.IsFinite(threshold) || threshold <= 0))
            failures.Add($"{Key}:Threshold {threshold} is not a positive number: use a Euclidean distance such as 0.7, or remove the key for the default.");
        if (options.MaxBatchSize is < 1 or > 256)
            failures.Add($"{Key}:MaxBatchSize {options.MaxBatchSize} is outside 1 to 256.");

        if (options.Gallery is { } gallery && !galleryFactories.Any(f => f.CanOpen(gallery)))
            failures.Add($"{Key}:Gallery '{gallery}' is a location no registered gallery factory opens: give a file path, or register the factory for it (services.AddFaceNetPostgreSql() for a PostgreSQL connection string).");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string CatalogueNames(PretrainedKind kind) =>
        string.Join(", ", PretrainedCatalog.All.Where(w => w.Kind == kind).Select(w => w.Name));

    [GeneratedRegex(@"^(cpu|cuda|cuda:\d+|auto)$", RegexOptions.IgnoreCase)]
    private static partial Regex DeviceForm();
}
