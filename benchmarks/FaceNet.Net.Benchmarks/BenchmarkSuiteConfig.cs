using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// The one configuration every benchmark runs under: memory diagnoser, GitHub-markdown reports (the
/// input of <c>docs/benchmarks.md</c>), and either the default job or, with <c>--short</c>, a short in-process
/// job (1 warm-up, 3 iterations; the encoder throughput benchmarks take 3 and 10) that keeps the whole suite under ten minutes on two cores.
/// </summary>
public static class BenchmarkSuiteConfig
{
    /// <summary>Builds the configuration.</summary>
    public static IConfig Create(bool shortRun)
    {
        var job = shortRun
            ? Job.ShortRun.WithWarmupCount(1).WithIterationCount(3).WithLaunchCount(1)
                .WithToolchain(InProcessEmitToolchain.Instance).WithId("Short") // no per-run project build
            : Job.Default.WithId("Full");
        return DefaultConfig.Instance
            .AddJob(job)
            .AddColumn(StatisticColumn.Median) // the statistic `facenet benchmark` reports, for comparing the two
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
    }
}
