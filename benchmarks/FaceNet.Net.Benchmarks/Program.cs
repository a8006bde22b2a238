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
/// <c>--devices cpu|cuda|cpu,cuda</c> the devices of the encoder and end-to-end benchmarks.
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
        int syntheticAt = rest.IndexOf("--write-synthetic-weights");
        if (syntheticAt >= 0)
        {
            if (syntheticAt + 1 >= rest.Count)
            {
                Console.Error.WriteLine("benchmarks: --write-synthetic-weights needs a path");
                return 2;
            }
            BenchmarkAssets.WriteSyntheticWeights(rest[syntheticAt + 1]);
            Console.WriteLine($"wrote {rest[syntheticAt + 1]}");
            return 0;
        }
        bool shortRun = rest.Remove("--short");
        if (!TakeListOption(rest, "--batches", "FACENET_BENCH_BATCHES", v => int.TryParse(v, out int b) && b is >= 1 and <= 4096)
            || !TakeListOption(rest, "--devices", "FACENET_BENCH_DEVICES", v => v is "cpu" or "cuda"))
            return 2;
        // Read by the benchmark classes (params trimmed) and inherited by BenchmarkDotNet's child processes.
        if (shortRun) Environment.SetEnvironmentVariable("FACENET_BENCH_SHORT", "1");
        string? docs = null;
        int docsAt = rest.IndexOf("--docs");
        if (docsAt >= 0)
        {
            if (docsAt + 1 >= rest.Count)
            {
                Console.Error.WriteLine("benchmarks: --docs needs a path");
                return 2;
            }
            docs = rest[docsAt + 1];
            rest.RemoveRange(docsAt, 2);
        }
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
    /// Removes <paramref name="option"/> and its comma-separated value from <paramref name="args"/> and passes the value
    /// on in <paramref name="variable"/> (inherited by BenchmarkDotNet's child processes). False, after a message, when it is malformed.
    /// </summary>
    private static bool TakeListOption(List<string> args, string option, string variable, Func<string, bool> valid)
    {
        int at = args.IndexOf(option);
        if (at < 0) return true;
        if (at + 1 >= args.Count || args[at + 1].Split(',').Any(v => !valid(v)))
        {
            Console.Error.WriteLine($"benchmarks: {option} needs a comma-separated list ({(option == "--batches" ? "batch sizes 1-4096" : "cpu, cuda")})");
            return false;
        }
        Environment.SetEnvironmentVariable(variable, args[at + 1]);
        args.RemoveRange(at, 2);
        return true;
    }
}
