using System.CommandLine;

namespace FaceNet.Net.Cli.Commands;

/// <summary>Every subcommand of the <c>facenet</c> tool, in help order.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() => All(EncoderFactory.Create);

    /// <summary>The commands, with <paramref name="createEncoder"/> as the way weights become an encoder (tests pass their own).</summary>
    internal static IEnumerable<Command> All(CreateEncoder createEncoder)
    {
        yield return InfoCommand.Create();
        yield return EncodeCommand.Create();
        yield return VerifyCommand.Create(createEncoder);
        yield return EnrollCommand.Create(createEncoder);
        yield return IdentifyCommand.Create(createEncoder);
        yield return GalleryCommand.Create();
        yield return TrainCommand.Create();
        yield return EvaluateCommand.Create();
        yield return DetectCommand.Create();
        yield return BenchmarkCommand.Create();
        yield return WeightsCommand.Create();
    }
}
