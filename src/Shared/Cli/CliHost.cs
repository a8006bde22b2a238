using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceNet.Net;

namespace FaceNet.Net.CommandLine;

/// <summary>
/// Runs a command tree with the tools' conventions: exit code 0 on success, 2 on bad usage or bad
/// input (one line on stderr), 1 on an internal failure (one line on stderr).
/// </summary>
internal static class CliHost
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int UsageError = 2;

    public static int Run(RootCommand root, string[] args, string toolName)
    {
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"{toolName}: {OneLine(parsed.Errors[0].Message)} (see '{toolName} --help')");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsInputError(e))
        {
            Console.Error.WriteLine($"{toolName}: {OneLine(e.Message)}");
            return UsageError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{toolName}: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return InternalError;
        }
    }

    /// <summary>Failures caused by what the user gave: bad files, bad arguments. Everything else is internal.</summary>
    private static bool IsInputError(Exception e) => e is UsageException or FileNotFoundException or DirectoryNotFoundException
        or (FaceNetException and not FaceNet.Net.Native.NativeRuntimeException) or ArgumentException or UnauthorizedAccessException;

    /// <summary>
    /// A message as one printable line: line breaks become spaces and every other control character (an escape
    /// sequence in a file name, say) is written as <c>\xNN</c> or <c>\uNNNN</c>, so nothing a file name holds reaches the terminal as a command.
    /// </summary>
    internal static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        if (!line.Any(char.IsControl)) return line;
        var builder = new System.Text.StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (!char.IsControl(c)) builder.Append(c);
            else if (c <= '\xff') builder.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>Writes one line of information to standard error (not an error: the exit code is unchanged), escaped like error lines.</summary>
    public static void Notice(string toolName, string message) => Console.Error.WriteLine($"{toolName}: {OneLine(message)}");

    /// <summary>
    /// Removes the temporary files an interrupted write of <paramref name="target"/> left beside it
    /// (<see cref="FaceNet.Net.IO.TemporaryFiles.RemoveStale"/>) and says so on standard error when there were any.
    /// </summary>
    public static void RemoveStaleTemporaryFiles(string toolName, string target)
    {
        var removed = FaceNet.Net.IO.TemporaryFiles.RemoveStale(target);
        if (removed.Count > 0)
            Notice(toolName, $"removed {removed.Count} temporary file(s) of '{target}' left by an interrupted run");
    }

    /// <summary>JSON settings shared by every command's <c>--json</c> output.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes <paramref name="value"/> as JSON to standard output.</summary>
    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}

/// <summary>A usage problem found after parsing (a missing file, an option out of range): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
