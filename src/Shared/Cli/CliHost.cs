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

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

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
