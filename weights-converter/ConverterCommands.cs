using System.CommandLine;
using FaceNet.Net.WeightsConverter.Commands;

namespace FaceNet.Net.WeightsConverter;

/// <summary>Every subcommand of <c>facenet-convert</c>, in help order.</summary>
internal static class ConverterCommands
{
    public static IEnumerable<Command> All()
    {
        yield return InspectCommand.Create();
        yield return ConvertCommand.Create();
        yield return VerifyCommand.Create();
    }
}
