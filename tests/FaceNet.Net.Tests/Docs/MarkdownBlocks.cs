namespace FaceNet.Net.Tests.Docs;

/// <summary>A fenced code block of a markdown file: its info string (language), text and line.</summary>
public sealed record MarkdownBlock(string File, int Line, string Language, string Text)
{
    /// <summary>
    /// The shell command lines of the block: comments and blank lines dropped, lines ending in <c>\</c> and indented
    /// lines joined to the one before, a leading <c>$ </c> prompt removed.
    /// </summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            var commands = new List<string>();
            var continued = false;
            foreach (var raw in Text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                var trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith('#')) { continued = false; continue; }
                var join = continued || (char.IsWhiteSpace(line[0]) && commands.Count > 0);
                continued = trimmed.EndsWith('\\');
                if (continued) trimmed = trimmed[..^1].TrimEnd();
                if (trimmed.StartsWith("$ ", StringComparison.Ordinal)) trimmed = trimmed[2..];
                if (join) commands[^1] += " " + trimmed;
                else commands.Add(trimmed);
            }
            return commands;
        }
    }
}

/// <summary>Reads the fenced code blocks (<c>```lang</c> ... <c>```</c>) of markdown files.</summary>
public static class MarkdownBlocks
{
    /// <summary>Every fenced block of <paramref name="path"/>, in order.</summary>
    public static IReadOnlyList<MarkdownBlock> Read(string path)
    {
        var blocks = new List<MarkdownBlock>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var open = lines[i].TrimStart();
            if (!open.StartsWith("```", StringComparison.Ordinal)) continue;
            var language = open[3..].Trim();
            var start = i + 1;
            var end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal)) end++;
            blocks.Add(new MarkdownBlock(path, i + 1, language, string.Join("\n", lines[start..end])));
            i = end;
        }
        return blocks;
    }
}
