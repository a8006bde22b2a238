using System.CommandLine;
using System.Text.RegularExpressions;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Docs;

/// <summary>
/// <c>docs/cli.md</c> keeps up with the tools: a section (a heading naming <c>facenet &lt;command&gt;</c> or
/// <c>facenet-convert &lt;command&gt;</c>) for every command, and every option of the command named in it.
/// </summary>
public partial class CliReferenceTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "docs", "cli.md"));

    [Test]
    public void Every_facenet_command_and_option_is_in_the_reference()
    {
        var missing = new List<string>();
        foreach (var command in CommandCatalog.All())
            Check("facenet", command, missing);
        Assert.That(missing, Is.Empty, "docs/cli.md lacks (run the command with --help and update the page):\n" + string.Join("\n", missing));
    }

    [Test]
    public void Every_facenet_convert_command_and_option_is_in_the_reference()
    {
        var top = BuiltTools.Run(BuiltTools.Converter, "--help");
        Assert.That(top.ExitCode, Is.EqualTo(0), top.ToString());
        var commands = CommandLines().Matches(top.StandardOutput.Split("Commands:")[1]).Select(m => m.Groups[1].Value).ToList();
        Assert.That(commands, Is.EquivalentTo(new[] { "inspect", "convert", "verify" }));
        var missing = new List<string>();
        foreach (var command in commands)
        {
            var section = Section($"facenet-convert {command}");
            if (section is null) { missing.Add($"a section for 'facenet-convert {command}'"); continue; }
            var help = BuiltTools.Run(BuiltTools.Converter, command, "--help");
            foreach (var option in OptionNames().Matches(help.StandardOutput.Split("Options:")[1]).Select(m => m.Value).Distinct())
                if (!IsHelp(option) && !section.Contains(option, StringComparison.Ordinal)) missing.Add($"'facenet-convert {command}': {option}");
        }
        Assert.That(missing, Is.Empty, "docs/cli.md lacks:\n" + string.Join("\n", missing));
    }

    private static void Check(string prefix, Command command, List<string> missing)
    {
        var name = $"{prefix} {command.Name}";
        var section = Section(name);
        if (section is null) { missing.Add($"a section for '{name}'"); return; }
        foreach (var option in command.Options.Where(o => !IsHelp(o.Name)))
            if (!section.Contains(option.Name, StringComparison.Ordinal)) missing.Add($"'{name}': {option.Name}");
        foreach (var argument in command.Arguments)
            if (!section.Contains($"<{argument.Name}>", StringComparison.Ordinal)) missing.Add($"'{name}': argument <{argument.Name}>");
        foreach (var sub in command.Subcommands) Check(name, sub, missing);
    }

    private static bool IsHelp(string option) => option is "--help" or "-h" or "-?" or "--version";

    /// <summary>The text from the heading that names <paramref name="command"/> in backquotes to the next heading.</summary>
    private static string? Section(string command)
    {
        var match = Regex.Match(Page, $"^#+ `{Regex.Escape(command)}`\\s*$", RegexOptions.Multiline);
        if (!match.Success) return null;
        var rest = Page[(match.Index + match.Length)..];
        var next = Regex.Match(rest, "^#+ ", RegexOptions.Multiline);
        return next.Success ? rest[..next.Index] : rest;
    }

    [GeneratedRegex(@"^\s+([a-z][a-z-]*)\b", RegexOptions.Multiline)]
    private static partial Regex CommandLines();

    [GeneratedRegex(@"(?<=^|[\s,])--?[A-Za-z?][\w-]*", RegexOptions.Multiline)]
    private static partial Regex OptionNames();
}
