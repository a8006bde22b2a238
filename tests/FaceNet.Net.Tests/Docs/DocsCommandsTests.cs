using System.Text.RegularExpressions;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Detection;
using FaceNet.Net.Tests.Evaluation;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;
using FaceNet.Net.Tests.Packaging;
using FaceNet.Net.Tests.Training;
using FaceNet.Net.Tests.Weights;

namespace FaceNet.Net.Tests.Docs;

/// <summary>
/// A cheap guard against documentation rot: every shell command in a <c>```bash</c> (or <c>sh</c>, <c>shell</c>)
/// block of <c>README.md</c> and <c>docs/*.md</c> must have one of the forms below, each of which CI runs or a
/// test exercises (the mapping is the table <see cref="Forms"/>; test classes are named with <c>typeof</c>, so a
/// renamed test breaks the build rather than the mapping). Output samples and synopses belong in plain <c>```</c>
/// blocks, transcripts in <c>```console</c>. To document a new command, add its form here with what runs it.
/// </summary>
public partial class DocsCommandsTests
{
    /// <summary>A command form and what exercises it.</summary>
    private sealed record Form(Regex Pattern, string ExercisedBy, string? OnlyIn = null);

    /// <summary>The <c>facenet</c> subcommands and the tests that run them.</summary>
    private static readonly Dictionary<string, Type> FacenetCommands = new()
    {
        ["info"] = typeof(DocsCommandsTests),            // The_info_command_of_the_README_runs, below
        ["encode"] = typeof(CliEncodeReferenceTests),
        ["verify"] = typeof(RecognitionCommandsTests),
        ["enroll"] = typeof(RecognitionCommandsTests),
        ["identify"] = typeof(RecognitionCommandsTests),
        ["gallery"] = typeof(RecognitionCommandsTests),
        ["train"] = typeof(TrainCommandTests),
        ["evaluate"] = typeof(EvaluateCommandTests),
        ["detect"] = typeof(DetectCommandTests),
        ["benchmark"] = typeof(BenchmarkCommandTests),
        ["weights"] = typeof(WeightsCommandTests),
    };

    /// <summary>The <c>facenet-convert</c> subcommands and the tests that run them.</summary>
    private static readonly Dictionary<string, Type> ConverterCommands = new()
    {
        ["inspect"] = typeof(CliEncodeReferenceTests),
        ["convert"] = typeof(CliEncodeReferenceTests),      // and BadWeightFileTests
        ["verify"] = typeof(BadWeightFileTests),           // and CliEncodeReferenceTests
    };

    private static readonly Form[] Forms =
    [
        new(new("^dotnet test FaceNet\\.Net\\.sln -c Release$"), ".ci/run (the README's test command)"),
        new(new("^dotnet restore FaceNet\\.Net\\.sln$"), ".ci/run"),
        new(new("^dotnet tool restore$"), ".ci/run"),
        new(new("^export FACENET_SHARED=\\S+$"), ".ci/run (exports FACENET_SHARED)"),
        new(new("^dotnet run --project src/FaceNet\\.Net\\.Cli( -c Release)? -- (?<facenet>[a-z]+)\\b"), "the test of that facenet command (FacenetCommands)"),
        new(new("^facenet (?<facenet>[a-z]+)\\b"), "the test of that facenet command (FacenetCommands)"),
        new(new("^facenet\\(\\) \\{ dotnet run --project src/FaceNet\\.Net\\.Cli -c Release -- \"\\$@\"; \\}$"), "a shell function for the commands above"),
        new(new("^dotnet run --project weights-converter -- (?<convert>[a-z]+)\\b"), "the test of that facenet-convert command (ConverterCommands)"),
        new(new("^facenet-convert (?<convert>[a-z]+)\\b"), "the test of that facenet-convert command (ConverterCommands)"),
        new(new("^dotnet run -c Release --project benchmarks/FaceNet\\.Net\\.Benchmarks -- "), nameof(Documented_benchmark_filters_each_select_a_benchmark)),
        new(new("^dotnet new console -o FaceCheck$"), nameof(GettingStartedTests), "getting-started.md"),
        new(new("^cd FaceCheck$"), nameof(GettingStartedTests), "getting-started.md"),
        new(new("^dotnet add package (FaceNet\\.Net --version \\S+|libtorch-cpu-linux-x64 --version 2\\.10\\.0)$"), nameof(GettingStartedTests)),
        new(new("^git clone https://github\\.com/facenet-net/FaceNet\\.Net$"), nameof(GettingStartedTests), "getting-started.md"),
        new(new("^(FaceNet\\.Net/)?build/pack-local\\.sh$"), nameof(GettingStartedTests)),
        new(new("^dotnet tool install --global FaceNet\\.Net\\.Cli --version 0\\.1\\.0 --add-source \\S+$"), nameof(GettingStartedTests)),
        new(new("^dotnet new nugetconfig$"), nameof(GettingStartedTests), "getting-started.md"),
        new(new("^dotnet nuget add source \\S+ --name facenet-local$"), nameof(GettingStartedTests)),
        new(new("^dotnet run -- \\S+ \\S+$"), nameof(GettingStartedTests), "getting-started.md"),
    ];

    private static readonly string[] ShellLanguages = ["bash", "sh", "shell"];

    /// <summary>Every shell command of the docs with its file and line.</summary>
    private static IEnumerable<(MarkdownBlock Block, string Command)> DocumentedCommands()
    {
        var root = SharedFixtures.RepositoryRoot;
        var pages = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md")).Order(StringComparer.Ordinal);
        foreach (var page in pages)
            foreach (var block in MarkdownBlocks.Read(page).Where(b => ShellLanguages.Contains(b.Language)))
                foreach (var command in block.Commands)
                    yield return (block, EnvironmentPrefix().Replace(command, ""));
    }

    [Test]
    public void Every_shell_command_in_the_docs_is_one_that_CI_or_a_test_runs()
    {
        var commands = DocumentedCommands().ToList();
        Assert.That(commands, Has.Count.GreaterThan(10), "the docs' shell blocks were found");
        var unexercised = new List<string>();
        foreach (var (block, command) in commands)
        {
            var where = $"{Path.GetRelativePath(SharedFixtures.RepositoryRoot, block.File)}:{block.Line}: {command}";
            var form = Forms.FirstOrDefault(f => f.Pattern.IsMatch(command) && (f.OnlyIn is null || Path.GetFileName(block.File) == f.OnlyIn));
            if (form is null) { unexercised.Add(where + "  (no allowed form)"); continue; }
            var match = form.Pattern.Match(command);
            if (match.Groups["facenet"].Success && !FacenetCommands.ContainsKey(match.Groups["facenet"].Value))
                unexercised.Add(where + $"  (no test runs 'facenet {match.Groups["facenet"].Value}')");
            if (match.Groups["convert"].Success && !ConverterCommands.ContainsKey(match.Groups["convert"].Value))
                unexercised.Add(where + $"  (no test runs 'facenet-convert {match.Groups["convert"].Value}')");
        }
        Assert.That(unexercised, Is.Empty,
            "shell commands in the docs that neither CI nor a test runs (add the form and its test to DocsCommandsTests.Forms, or move a synopsis to a plain ``` block):\n"
            + string.Join("\n", unexercised));
    }

    [Test]
    public void Every_facenet_command_has_a_test_in_the_mapping()
    {
        var commands = FaceNet.Net.Cli.Commands.CommandCatalog.All().Select(c => c.Name).ToList();
        Assert.That(commands, Is.Not.Empty);
        Assert.That(commands, Is.SubsetOf(FacenetCommands.Keys), "a facenet command without a test in DocsCommandsTests.FacenetCommands");
    }

    [Test]
    public void The_info_command_of_the_README_runs()
    {
        var info = FacenetCli.Run("info", "--json");
        Assert.That(info.ExitCode, Is.EqualTo(0), info.ToString());
        Assert.That(info.StandardOutput, Does.Contain("0.107.0"), "reports the TorchSharp version: " + info);
    }

    [Test]
    public void Documented_benchmark_filters_each_select_a_benchmark()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "FaceNet.Net.Benchmarks", "bin", configuration, "net10.0", "FaceNet.Net.Benchmarks.dll");
        if (!File.Exists(dll)) Assert.Ignore($"The benchmarks are not built ({dll}); build the solution first.");
        const string prefix = "dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- ";
        var runs = DocumentedCommands().Where(c => c.Command.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (runs.Count == 0) Assert.Ignore("No benchmark command is documented.");
        foreach (var (block, command) in runs)
        {
            // BenchmarkDotNet's --list prints the benchmarks the filters select, without running them.
            var arguments = ShellWords(command[prefix.Length..]).Append("--list").Append("flat");
            var list = ProcessRunner.Run("dotnet", arguments.Prepend(dll), SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(1));
            Assert.That(list.ExitCode, Is.EqualTo(0), $"{block.File}:{block.Line}: {command}\n{list}");
            Assert.That(list.StandardOutput, Does.Contain("FaceNet.Net.Benchmarks."), $"{block.File}:{block.Line}: the filter selects no benchmark: {command}\n{list}");
        }
    }

    /// <summary>Splits a command line into words, honouring single and double quotes.</summary>
    private static IEnumerable<string> ShellWords(string line) =>
        Words().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Value);

    [GeneratedRegex("^([A-Z_][A-Z0-9_]*=\\S*\\s+)+")]
    private static partial Regex EnvironmentPrefix();

    [GeneratedRegex("'([^']*)'|\"([^\"]*)\"|\\S+")]
    private static partial Regex Words();
}
