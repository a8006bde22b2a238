using System.Text.RegularExpressions;

namespace FaceNet.Net.Model.Inference.TorchScript;

/// <summary>
/// Checks the compiled body's TorchScript before it is loaded, because a compile error ends the process
/// (<see cref="TorchScriptArchive.Load"/>). The source must be the fixed prelude, then a <c>forward</c> whose every
/// line assigns one of a few operator forms (those <see cref="OneDnn.ScriptGenerator"/> writes, each known to compile
/// on the libtorch versions the capability gate admits) to a new variable, using only variables and arguments defined
/// before it. Anything else is refused with the line that broke the rule. Stateless, thread-safe.
/// </summary>
internal static partial class TorchScriptCheck
{
    private const string Value = @"(?:x|t\d+)";

    // Each allowed right-hand side; named groups: v (variables used), w/k/b (weight, weight-scale and bias arguments).
    private static readonly Regex[] Forms =
    [
        new($@"^self\.conv\((?<v>{Value}), (?<w>w\d+), (?<b>b\d+), \d+, \d+, \d+, \d+, (?:True|False)\)$"),
        new($@"^self\.cut\((?<v>{Value}), \d+\)$"),
        new($@"^ops\.aten\.cat\(\[(?<v>{Value})(?:, (?<v>{Value}))*\], 1\)$"),
        new($@"^ops\.aten\.max_pool2d\((?<v>{Value}), \[\d+, \d+\], \[\d+, \d+\], \[0, 0\], \[1, 1\], False\)$"),
        new($@"^ops\.aten\.add_\((?<v>{Value}), (?<v>{Value})\)$"),
        new($@"^ops\.aten\.relu_\((?<v>{Value})\)$"),
        new($@"^ops\.aten\.linear\(ops\.aten\.flatten\(ops\.aten\.adaptive_avg_pool2d\((?<v>{Value}), \[1, 1\]\), 1, -1\), head_weight, head_bias\)$"),
    ];

    // The int8 helpers' forms, allowed only with the int8 prelude (the only one that defines scale, quant and qconv).
    private static readonly Regex[] Int8Forms =
    [
        new($@"^self\.scale\((?<v>{Value})\)$"),
        new($@"^self\.quant\((?<v>{Value}), (?<v>{Value})\)$"),
        new($@"^self\.qconv\((?<v>{Value}), (?<v>{Value}), (?<w>w\d+), (?<k>k\d+), (?<b>b\d+), \d+, \d+, \d+, \d+, (?:True|False)\)$"),
    ];

    [GeneratedRegex(@"^  def forward\(self: __torch__\.(?<class>[A-Za-z_][A-Za-z0-9_]*), x: Tensor(?<args>(?:, w\d+: Tensor, (?:k\d+: Tensor, )?b\d+: Tensor)*), head_weight: Tensor, head_bias: Tensor\) -> Tensor:$")]
    private static partial Regex Signature();

    [GeneratedRegex(@"^    (?<name>t\d+) = (?<expression>.+)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^    return (?<v>t\d+)$")]
    private static partial Regex Return();

    [GeneratedRegex(@"[wkb]\d+")]
    private static partial Regex Argument();

    /// <summary>Null when <paramref name="source"/> is safe to compile; else why not, naming the line.</summary>
    /// <param name="source">The whole class source.</param>
    /// <param name="prelude">The fixed text before <c>forward</c> (class header and helper methods), as written by the generator.</param>
    /// <param name="entryLine">The fixed first line of <c>forward</c>'s body.</param>
    /// <param name="int8">Whether <paramref name="prelude"/> is the int8 one: only then are the int8 helpers' forms and weight-scale arguments allowed.</param>
    public static string? Problem(string source, string prelude, string entryLine, bool int8 = false)
    {
        if (!source.StartsWith(prelude, StringComparison.Ordinal)) return "the prelude is not the fixed one";
        var lines = source[prelude.Length..].Split('\n');
        if (lines.Length < 4) return "forward is missing";
        var signature = Signature().Match(lines[0]);
        if (!signature.Success) return $"forward's signature is not of the allowed form: {Shorten(lines[0])}";
        var argumentList = Argument().Matches(signature.Groups["args"].Value).Select(m => m.Value).ToList();
        var arguments = argumentList.ToHashSet(StringComparer.Ordinal);
        if (arguments.Count != argumentList.Count) return "forward names an argument twice";
        if (!int8 && argumentList.Any(a => a[0] == 'k')) return "forward takes int8 weight scales, but the prelude is not the int8 one";
        var forms = int8 ? [.. Forms, .. Int8Forms] : Forms;
        if (lines[1] != entryLine) return $"line 2 of forward is not the fixed entry line: {Shorten(lines[1])}";
        var defined = new HashSet<string>(StringComparer.Ordinal) { "x" };
        int last = Array.FindLastIndex(lines, l => l.Length > 0);
        for (int i = 2; i < last; i++)
        {
            var assignment = Assignment().Match(lines[i]);
            if (!assignment.Success) return $"line {i + 1} of forward is not an assignment: {Shorten(lines[i])}";
            var name = assignment.Groups["name"].Value;
            var expression = assignment.Groups["expression"].Value;
            var form = forms.Select(f => f.Match(expression)).FirstOrDefault(m => m.Success);
            if (form is null) return $"line {i + 1} of forward uses an operation outside the allowed forms: {Shorten(lines[i])}";
            foreach (Capture used in form.Groups["v"].Captures)
                if (!defined.Contains(used.Value)) return $"line {i + 1} of forward uses {used.Value} before it is defined";
            foreach (var group in new[] { "w", "k", "b" })
                if (form.Groups[group].Success && !arguments.Contains(form.Groups[group].Value))
                    return $"line {i + 1} of forward uses {form.Groups[group].Value}, which is not an argument";
            if (!defined.Add(name)) return $"line {i + 1} of forward assigns {name} a second time";
        }
        var returned = Return().Match(lines[last]);
        if (!returned.Success || !defined.Contains(returned.Groups["v"].Value)) return $"forward does not end by returning a defined variable: {Shorten(lines[last])}";
        return null;
    }

    private static string Shorten(string line) => line.Length <= 120 ? line.Trim() : line.Trim()[..117] + "...";
}
