using System.Text.RegularExpressions;
using FaceNet.Net.Configuration;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Docs;

/// <summary>
/// <c>docs/configuration.md</c> keeps up with <see cref="EnvironmentOverrides"/>: its table of environment variables
/// lists exactly <see cref="EnvironmentOverrides.All"/>, its quoted error message is the parser's, and no page names a
/// <c>FACENET_*</c> variable nobody reads. And the docs name measurements by date and commit, never by "session".
/// </summary>
public partial class ConfigurationDocsTests
{
    private static string Root => SharedFixtures.RepositoryRoot;

    private static string PagePath => Path.Combine(Root, "docs", "configuration.md");

    /// <summary>
    /// <c>FACENET_*</c> variables the docs may mention that the repository's tests and benchmarks read, not the
    /// library (configuration.md says so below its table).
    /// </summary>
    private static readonly string[] TestAndBenchmarkVariables = ["FACENET_SHARED", "FACENET_BENCH_SHORT"];

    [Test]
    public void The_environment_variable_table_lists_exactly_the_variables_the_library_reads()
    {
        var names = VariableTable().Select(row => row.Variable).ToList();
        Assert.That(names, Is.Unique, "a variable has two rows in docs/configuration.md");
        Assert.That(names, Is.EquivalentTo(EnvironmentOverrides.All),
            "docs/configuration.md's table must list exactly EnvironmentOverrides.All");
    }

    [Test]
    public void Every_row_says_which_values_the_variable_takes_and_what_it_overrides()
    {
        Assert.Multiple(() =>
        {
            foreach (var row in VariableTable())
            {
                Assert.That(row.Values, Does.StartWith("switch: 1/0/true/false/on/off").Or.StartWith("count:").Or.StartWith("text:"), row.Variable);
                Assert.That(row.Overrides, Is.Not.Empty, row.Variable);
                Assert.That(row.Effect, Is.Not.Empty, row.Variable);
            }
        });
    }

    [Test]
    public void The_switch_values_the_table_names_are_the_ones_the_parser_takes()
    {
        var values = VariableTable().Where(r => r.Values.StartsWith("switch:", StringComparison.Ordinal))
            .SelectMany(r => r.Values["switch:".Length..].Trim().Split('/')).Distinct().ToList();
        Assert.That(values, Is.EquivalentTo(new[] { "1", "0", "true", "false", "on", "off" }));
        foreach (var value in values)
            Assert.That(EnvironmentOverrides.ParseSwitch("FACENET_TEST", value), Is.EqualTo(value is "1" or "true" or "on"), value);
    }

    [Test]
    public void The_quoted_error_message_is_the_parsers()
    {
        var quoted = QuotedError().Match(File.ReadAllText(PagePath));
        Assert.That(quoted.Success, Is.True, "docs/configuration.md quotes the message for a bad switch value");
        var name = quoted.Groups["name"].Value;
        Assert.That(EnvironmentOverrides.All, Does.Contain(name));
        var e = Assert.Throws<FaceNetConfigurationException>(() => EnvironmentOverrides.ParseSwitch(name, quoted.Groups["value"].Value));
        Assert.That(e!.Message, Is.EqualTo(quoted.Groups["message"].Value));
    }

    [Test]
    public void The_docs_name_no_FACENET_variable_that_nothing_reads()
    {
        var known = EnvironmentOverrides.All.Concat(TestAndBenchmarkVariables).ToHashSet(StringComparer.Ordinal);
        var unknown = MarkdownFiles()
            .SelectMany(file => Variables().Matches(File.ReadAllText(file)).Select(m => (file, name: m.Value)))
            .Where(hit => !known.Contains(hit.name))
            .Select(hit => $"{Path.GetRelativePath(Root, hit.file)}: {hit.name}")
            .Distinct()
            .ToList();
        Assert.That(unknown, Is.Empty, "variables the library does not read (rename them or add them to EnvironmentOverrides):\n" + string.Join("\n", unknown));
    }

    [Test]
    public void The_docs_name_dates_and_commits_not_sessions()
    {
        var hits = new List<string>();
        foreach (var file in MarkdownFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                if (SessionWording().IsMatch(lines[i]))
                    hits.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.That(hits, Is.Empty, "name the date and commit instead:\n" + string.Join("\n", hits));
    }

    [TestCase("the figures of session 3")]
    [TestCase("Session 4 narrowed it down")]
    [TestCase("against the session-2 build")]
    [TestCase("sessions 3 to 5")]
    [TestCase("why was not found this session.")]
    [TestCase("(previous session, A/B)")]
    [TestCase("| 01:28 (s2) | 03:34 (s3, before huge pages) |")]
    public void The_session_pattern_catches_the_old_wording(string line) =>
        Assert.That(SessionWording().IsMatch(line), Is.True);

    [TestCase("an ONNX Runtime InferenceSession")]
    [TestCase("28 Nov, 02:50 to 05:00 (46fa91d..5d0c948)")]
    [TestCase("the benchmark sitting of 08:12")]
    public void The_session_pattern_leaves_other_wording_alone(string line) =>
        Assert.That(SessionWording().IsMatch(line), Is.False);

    /// <summary>README.md and every markdown page under docs/.</summary>
    private static IEnumerable<string> MarkdownFiles() =>
        Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Append(Path.Combine(Root, "README.md"));

    /// <summary>One row of the table whose header starts with <c>| variable |</c>.</summary>
    private sealed record VariableRow(string Variable, string Values, string Overrides, string Effect);

    /// <summary>The rows of the environment-variable table; fails the test on a malformed row.</summary>
    private static List<VariableRow> VariableTable()
    {
        var lines = File.ReadAllLines(PagePath);
        var header = Array.FindIndex(lines, l => l.StartsWith("| variable |", StringComparison.Ordinal));
        Assert.That(header, Is.GreaterThanOrEqualTo(0), "docs/configuration.md has a table whose first column is 'variable'");
        var rows = new List<VariableRow>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.That(cells, Has.Length.EqualTo(4), $"a row of four cells: {line}");
            var variable = TableVariable().Match(cells[0]);
            Assert.That(variable.Success, Is.True, $"the first cell is one variable in backquotes: {line}");
            rows.Add(new VariableRow(variable.Groups[1].Value, cells[1], cells[2], cells[3]));
        }
        Assert.That(rows, Is.Not.Empty);
        return rows;
    }

    [GeneratedRegex(@"^`(FACENET_[A-Z0-9_]+)`$")]
    private static partial Regex TableVariable();

    [GeneratedRegex(@"\bFACENET_[A-Z0-9_]+")]
    private static partial Regex Variables();

    [GeneratedRegex(@"`(?<message>Environment variable (?<name>FACENET_[A-Z0-9_]+) is '(?<value>[^']*)': [^`]+)`")]
    private static partial Regex QuotedError();

    /// <summary>
    /// "session 3", "sessions 2 and 3", "session-2 build", "this/that/previous/... session", and the "(s2)" shorthand
    /// of a work period; not the word inside other names (InferenceSession).
    /// </summary>
    [GeneratedRegex(@"\bsessions?[\s-]+\d|\b(this|that|previous|earlier|last|next|same|each|every|one)\s+session\b|\(s\d\b",
        RegexOptions.IgnoreCase)]
    private static partial Regex SessionWording();
}
