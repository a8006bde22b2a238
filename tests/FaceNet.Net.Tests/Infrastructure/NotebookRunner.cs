using System.Text.RegularExpressions;

namespace FaceNet.Net.Tests.Infrastructure;

/// <summary>
/// Executes every cell of a notebook with the .NET Interactive C# kernel (the repository's local tool
/// <c>dotnet-repl</c>, restored from <c>.config/dotnet-tools.json</c>) and reads the per-cell outcomes
/// from its TRX report.
/// </summary>
public static partial class NotebookRunner
{
    private static readonly Lazy<bool> Restored = new(() =>
    {
        var restore = ProcessRunner.Dotnet(SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(5), "tool", "restore");
        if (restore.ExitCode != 0) throw new InvalidOperationException("dotnet tool restore failed: " + restore);
        return true;
    });

    /// <summary>The process result, the outcome of each cell in order, and the TRX text.</summary>
    public sealed record Result(ProcessRunner.Result Run, IReadOnlyList<string> CellOutcomes, string Report)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Run}\n--- cells: {string.Join(", ", CellOutcomes)}\n--- report\n{Report}";
    }

    /// <summary>Runs <paramref name="notebookPath"/> to the end and waits at most 10 minutes.</summary>
    public static Result Run(string notebookPath, IReadOnlyDictionary<string, string?>? environment = null)
    {
        _ = Restored.Value;
        var trx = Path.ChangeExtension(notebookPath, ".trx");
        var run = ProcessRunner.Run("dotnet",
            new[] { "tool", "run", "dotnet-repl", "--", "--run", notebookPath, "--exit-after-run", "--output-format", "trx", "--output-path", trx },
            SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(10), environment);
        var report = File.Exists(trx) ? File.ReadAllText(trx) : "";
        var outcomes = Outcome().Matches(report).Select(m => m.Groups[1].Value).ToList();
        return new Result(run, outcomes, report);
    }

    [GeneratedRegex("<UnitTestResult[^>]*outcome=\"([A-Za-z]+)\"")]
    private static partial Regex Outcome();
}
