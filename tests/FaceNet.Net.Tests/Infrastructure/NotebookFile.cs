using System.Text.Json;

namespace FaceNet.Net.Tests.Infrastructure;

/// <summary>Writes minimal C# .ipynb files.</summary>
public static class NotebookFile
{
    /// <summary>Writes a notebook whose code cells are <paramref name="cells"/>, in order.</summary>
    public static void Write(string path, params string[] cells)
    {
        var notebook = new
        {
            cells = cells.Select(c => new Dictionary<string, object?>
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new { dotnet_interactive = new { language = "csharp" }, polyglot_notebook = new { kernelName = "csharp" } },
                ["outputs"] = Array.Empty<object>(),
                ["source"] = SourceLines(c),
            }).ToArray(),
            metadata = new
            {
                kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" },
                language_info = new { name = "polyglot-notebook" },
                polyglot_notebook = new { kernelInfo = new { defaultKernelName = "csharp", items = new[] { new { aliases = Array.Empty<string>(), name = "csharp" } } } },
            },
            nbformat = 4,
            nbformat_minor = 5,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(notebook, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Splits a cell into .ipynb source lines, each but the last keeping its newline.</summary>
    private static string[] SourceLines(string cell)
    {
        var lines = cell.Split('\n');
        return lines.Select((line, i) => i < lines.Length - 1 ? line + "\n" : line).ToArray();
    }
}
