using BenchmarkDotNet.Running;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Runs the suite. <c>dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- [--short] [--docs docs/benchmarks.md] [BenchmarkDotNet options]</c>;
/// with no BenchmarkDotNet filter every benchmark runs. <c>--short</c> uses a short in-process job and trims the
/// parameters (encoder batches 1 and 32, no unfolded comparison row; <c>FACENET_BENCH_SHORT=1</c>) so the whole
/// suite finishes in under ten minutes on two cores; <c>--docs</c> regenerates the results page from this run.
/// <c>--gallery-side-by-side</c> runs <see cref="GallerySideBySide"/> instead of the suite; <c>--write-synthetic-weights PATH</c>
/// writes the random weights the suite times when the fixtures are absent (for <c>facenet benchmark --weights</c> on a
/// machine without the reference weights) and exits. <c>--batches 1,8,256</c> sets the encoder batch sizes and
/// <c>--devices cpu|cuda|cpu,cuda</c> the devices of the encoder and end-to-end benchmarks. <c>--gallery-scale --size N --dim D
/// --postgres CONNECTION [--ef 40,100,200] [--probes 500] [--data uniform|clustered] [--latent 24] [--per-identity 5]</c> runs <see cref="GalleryScale"/> (in-memory vs PostgreSQL) instead.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        var rest = new List<string>(args);
        if (rest.Remove("--gallery-side-by-side"))
        {
            GallerySideBySide.Run(Console.Out);
            return 0;
        }
        if (rest.Remove("--gallery-scale"))
        {
            if (!TakeValue(rest, "--size", "a number of embeddings", v => int.TryParse(v, out int n) && n > 0, out var size)
                || !TakeValue(rest, "--dim", "an embedding size (1-2000)", v => int.TryParse(v, out int n) && n is > 0 and <= 2000, out var dim)
                || !TakeValue(rest, "--postgres", "a PostgreSQL connection string with pgvector", _ => true, out var postgres)
                || !TakeValue(rest, "--ef", "a comma-separated list of ef_search values (1-1000)", v => v.Split(',').All(e => int.TryParse(e, out int n) && n is >= 1 and <= 1000), out var ef)
                || !TakeValue(rest, "--probes", "a number of probes", v => int.TryParse(v, out int n) && n > 0, out var probes)
                || !TakeValue(rest, "--data", "uniform or clustered", v => v is "uniform" or "clustered", out var data)
                || !TakeValue(rest, "--latent", "a latent dimension (1-512)", v => int.TryParse(v, out int n) && n is > 0 and <= 512, out var latent)
                || !TakeValue(rest, "--per-identity", "a number of embeddings per identity (1-100)", v => int.TryParse(v, out int n) && n is > 0 and <= 100, out var perIdentity))
                return 2;
            if (postgres is null)
            {
                Console.Error.WriteLine("--gallery-scale needs --postgres CONNECTION (a server with pgvector; docs/recognition.md shows how to start one)");
                return 2;
            }
            FaceNetRuntime.EnsureInitialized();
            GalleryScale.RunAsync(Console.Out, int.Parse(size ?? "1000000", System.Globalization.CultureInfo.InvariantCulture), int.Parse(dim ?? "128", System.Globalization.CultureInfo.InvariantCulture),
                postgres, GalleryScale.ParseList(ef ?? "40,100,200"), int.Parse(probes ?? "500", System.Globalization.CultureInfo.InvariantCulture),
                data ?? "uniform", int.Parse(latent ?? "24", System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(perIdentity ?? "5", System.Globalization.CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
            return 0;
        }
        if (!TakeValue(rest, "--write-synthetic-weights", "a path", _ => true, out var syntheticPath)) return 2;
        if (syntheticPath is not null)
        {
            BenchmarkAssets.WriteSyntheticWeights(syntheticPath);
            Console.WriteLine($"wrote {syntheticPath}");
            return 0;
        }
        bool shortRun = rest.Remove("--short");
        if (!TakeValue(rest, "--batches", "a comma-separated list (batch sizes 1-4096)",
                v => v.Split(',').All(b => int.TryParse(b, out int n) && n is >= 1 and <= 4096), out var batches)
            || !TakeValue(rest, "--devices", "a comma-separated list (cpu, cuda)", v => v.Split(',').All(d => d is "cpu" or "cuda"), out var devices)
            || !TakeValue(rest, "--docs", "a path", _ => true, out var docs))
            return 2;
        // Read by the benchmark classes (params trimmed) and inherited by BenchmarkDotNet's child processes.
        if (shortRun) Environment.SetEnvironmentVariable("FACENET_BENCH_SHORT", "1");
        if (batches is not null) Environment.SetEnvironmentVariable("FACENET_BENCH_BATCHES", batches);
        if (devices is not null) Environment.SetEnvironmentVariable("FACENET_BENCH_DEVICES", devices);
        if (!rest.Any(a => a is "--filter" or "-f" or "--list" or "--help" or "-h")) rest.AddRange(new[] { "--filter", "*" });

        FaceNetRuntime.EnsureInitialized();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
            .Run(rest.ToArray(), BenchmarkSuiteConfig.Create(shortRun))
            .ToList();
        if (docs is not null && summaries.Count > 0)
        {
            var command = "dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- " + string.Join(' ', args);
            BenchmarkDocsWriter.Write(docs, summaries, command.Trim());
            Console.WriteLine($"wrote {docs}");
        }
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    /// <summary>
    /// Removes <paramref name="option"/> and the value after it from <paramref name="args"/>; <paramref name="value"/>
    /// is null when the option is absent. False, after a one-line message naming what was <paramref name="expected"/>,
    /// when the value is missing or not <paramref name="valid"/>.
    /// </summary>
    private static bool TakeValue(List<string> args, string option, string expected, Func<string, bool> valid, out string? value)
    {
        value = null;
        int at = args.IndexOf(option);
        if (at < 0) return true;
        if (at + 1 >= args.Count || !valid(args[at + 1]))
        {
            Console.Error.WriteLine($"benchmarks: {option} needs {expected}");
            return false;
        }
        value = args[at + 1];
        args.RemoveRange(at, 2);
        return true;
    }
}
