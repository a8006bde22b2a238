using System.CommandLine;
using FaceNet.Net.Cli;
using FaceNet.Net.Cli.Commands;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Tests.Recognition;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// Runs the <c>facenet</c> commands in the test process with stdout and stderr captured. The encoder comes from a
/// factory: <see cref="TestFactory"/> stands a seeded test network in for real weights (the "weights file" holds its
/// seed). Console output is process-wide, so classes using this must not run in parallel.
/// </summary>
internal static class InProcessCli
{
    /// <summary>A <see cref="TestEmbeddingNetwork"/> seeded by the number in the weights file.</summary>
    public static IFaceEncoder TestFactory(string weights, FaceNet.Net.Imaging.PreprocessingMode? mode, string? mtcnn) =>
        new FaceEncoder(new TestEmbeddingNetwork(seed: int.Parse(File.ReadAllText(weights))), new FaceEncoderOptions { Preprocessing = mode });

    /// <summary>The exit code, stdout and stderr of <c>facenet <paramref name="args"/></c> with encoders from <paramref name="factory"/>.</summary>
    public static (int Exit, string Out, string Err) Run(CreateEncoder factory, params string[] args)
    {
        var root = new RootCommand("facenet");
        foreach (var c in CommandCatalog.All(factory)) root.Subcommands.Add(c);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exit = CliHost.Run(root, args, "facenet");
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
