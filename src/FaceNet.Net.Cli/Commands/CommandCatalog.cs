using System.CommandLine;

namespace FaceNet.Net.Cli.Commands;

/// <summary>Every subcommand of the <c>facenet</c> tool, in help order.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return EncodeCommand.Create();
    }
}
