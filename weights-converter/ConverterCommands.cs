using System.CommandLine;

namespace FaceNet.Net.WeightsConverter;

/// <summary>Every subcommand of <c>facenet-convert</c>, in help order.</summary>
internal static class ConverterCommands
{
    public static IEnumerable<Command> All()
    {
        yield break;
    }
}
