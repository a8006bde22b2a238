using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Imaging;
using FaceNet.Net.Pretrained;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet weights list|get</c>: the catalogue of published weights, and fetching them into the cache
/// (checked: pinned or recorded SHA-256, size, structure). Exit 2 on an HTTP error, a truncated, wrong or
/// non-weights download, and offline with the file missing; nothing is then left in the cache.
/// </summary>
internal static class WeightsCommand
{
    public static Command Create()
    {
        var command = new Command("weights", "The catalogue of published weights: list it, fetch an entry into the cache");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Get());
        return command;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("list", "List the published weights FaceNet.Net knows by name") { json };
        command.SetAction(parse =>
        {
            var entries = PretrainedCatalog.All.Select(ToEntry).ToList();
            if (parse.GetValue(json))
            {
                CliHost.WriteJson(entries);
                return CliHost.Success;
            }
            foreach (var e in entries)
            {
                var kind = e.Kind == "mtcnn" ? "MTCNN detector" : $"{e.EmbeddingSize}-d, {e.Preprocessing}";
                Console.WriteLine($"{e.Name,-20} {kind,-18} {e.Url ?? "(no URL: manual, see docs/weights.md)"}");
            }
            return CliHost.Success;
        });
        return command;
    }

    private static Command Get()
    {
        var name = new Argument<string>("name") { Description = "A catalogue name (see 'facenet weights list') or an http(s) URL" };
        var sha256 = new Option<string?>("--sha256") { Description = "The SHA-256 (hex) the file must have (overrides a pinned one)" };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("get", "Fetch weights into the cache (or check the cached copy) and print the local path") { name, sha256, json };
        command.WithFetchOptions();
        command.SetAction((parse, cancellationToken) =>
        {
            var cache = WeightsSource.CacheOf(parse, parse.GetValue(sha256));
            var fetched = WeightsSource.Fetch(cache, parse.GetValue(name)!, cancellationToken);
            foreach (var file in fetched.Files.Where(f => f.Downloaded && !f.StructureChecked))
                Console.Error.WriteLine($"facenet: note: '{file.Path}' was checked for its size and hash only: this build does not read PyTorch .pt FaceNet weights, so its tensors were not checked.");
            if (parse.GetValue(json))
                CliHost.WriteJson(new GetOutput(fetched.Name, fetched.Path, fetched.Sha256, fetched.Bytes,
                    fetched.Files.Select(f => new FileOutput(Path.GetFileName(f.Path), f.Sha256, f.Bytes, f.Downloaded, f.StructureChecked)).ToList()));
            else
                Console.WriteLine(fetched.Path);
            return Task.FromResult(CliHost.Success);
        });
        return command;
    }

    private static CatalogueEntry ToEntry(PretrainedWeights e) => new(
        e.Name,
        e.Kind == PretrainedKind.Mtcnn ? "mtcnn" : "facenet",
        e.Files.Count == 1 ? e.Files[0].Url : CommonBase(e.Files.Select(f => f.Url)),
        e.EmbeddingSize,
        e.Preprocessing is { } p ? PreprocessingModeNames.ToName(p) : null,
        new Thresholds(e.EuclideanThreshold, e.CosineThreshold),
        e.Licence,
        e.Source,
        e.Files.Select(f => new FileEntry(f.FileName, f.Url, f.Size, f.Sha256)).ToList());

    /// <summary>The folder URL several files share (MTCNN's <c>data/</c>), or null when one has no URL.</summary>
    private static string? CommonBase(IEnumerable<string?> urls)
    {
        var list = urls.ToList();
        if (list.Count == 0 || list.Any(u => u is null)) return null;
        var bases = list.Select(u => u![..(u!.LastIndexOf('/') + 1)]).Distinct().ToList();
        return bases.Count == 1 ? bases[0] : null;
    }

    // JSON shapes. Nulls are written here (url, embeddingSize, preprocessing say "none"), unlike the other commands' output.
    private sealed record CatalogueEntry(
        string Name, string Kind,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Url,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] int? EmbeddingSize,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Preprocessing,
        Thresholds Thresholds, string Licence, string Source, IReadOnlyList<FileEntry> Files);

    private sealed record Thresholds(
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] float? Euclidean,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] float? Cosine);

    private sealed record FileEntry(
        string FileName,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Url,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] long? Size,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Sha256);

    private sealed record GetOutput(string Name, string Path,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? Sha256,
        long Bytes, IReadOnlyList<FileOutput> Files);

    private sealed record FileOutput(string FileName, string Sha256, long Bytes, bool Downloaded, bool StructureChecked);
}
