using BenchmarkDotNet.Running;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// Runs the suite. <c>dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- [--short] [--docs docs/benchmarks.md] [BenchmarkDotNet options]</c>;
/// with no BenchmarkDotNet filter every benchmark runs. <c>--short</c> uses a short in-process job and trims the
/// parameters (encoder batches 1 and 32, no unfolded comparison row; <c>FACENET_BENCH_SHORT=1</c>) so the whole
/// suite finishes in under ten minutes on two cores; <c>--docs</c> regenerates the results page from this run.
/// <c>--gallery-side-by-side</c> runs <see cref="GallerySideBySide"/> instead of the suite.
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
        bool shortRun = rest.Remove("--short");
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
}
