using System.Text.RegularExpressions;
using FaceNet.Net.Tests.Docs;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// <c>docs/getting-started.md</c> followed literally, as a new user would: its shell commands run in an empty
/// folder, in order, and its C# block becomes <c>Program.cs</c>. Only the FaceNet.Net version (the freshly packed
/// one, from a local feed added by a <c>nuget.config</c>), the weights file and the faces folder are replaced.
/// </summary>
public partial class GettingStartedTests
{
    private static readonly string Page = Path.Combine(SharedFixtures.RepositoryRoot, "docs", "getting-started.md");

    [Test]
    public void The_getting_started_program_is_the_example_app()
    {
        var program = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "samples", "FaceNet.Net.Example", "Program.cs"));
        var blocks = MarkdownBlocks.Read(Page).Where(b => b.Language == "csharp").ToList();
        Assert.That(blocks, Has.Count.EqualTo(1), "getting-started.md has one C# block: the program");
        Assert.That(Normalise(blocks[0].Text), Is.EqualTo(Normalise(program)),
            "the program in docs/getting-started.md must be samples/FaceNet.Net.Example/Program.cs, unchanged");
    }

    [Test]
    [Category(TestCategories.Packaging)]
    public void Following_getting_started_literally_builds_and_runs()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var faces = SharedFixtures.Path("fixtures", "faces", "aligned");
        var commands = MarkdownBlocks.Read(Page).Where(b => b.Language == "bash").SelectMany(b => b.Commands).ToList();
        Assert.That(commands, Is.EqualTo(new[]
        {
            "facenet weights get vggface2",
            "facenet weights get mtcnn",
            "dotnet new console -o FaceCheck",
            "cd FaceCheck",
            "dotnet add package FaceNet.Net --version 0.1.0",
            "dotnet add package libtorch-cpu-linux-x64 --version 2.10.0",
            "dotnet run -- ~/.cache/FaceNet.Net/weights/20180402-114759-vggface2.pt faces/",
            "facenet verify me.jpg me-again.jpg",
        }), "the commands this test knows how to run; update the test with the page");
        // The facenet tool's commands (steps 0 and 4) fetch from the internet or need the published weights: WeightsCommandTests
        // runs 'weights get' against a local server, ReadmeMainJobTests runs 'verify' on photos from a filled cache.
        commands = commands.Where(c => !c.StartsWith("facenet ", StringComparison.Ordinal)).ToList();
        var code = MarkdownBlocks.Read(Page).Single(b => b.Language == "csharp").Text;

        var folder = LocalPackageFeed.NewWorkFolder("getting-started");
        LocalPackageFeed.WriteNuGetConfig(folder);   // the one addition: where the unreleased package is
        ProcessRunner.Result? last = null;
        foreach (var command in commands)
        {
            var line = command
                .Replace("FaceNet.Net --version 0.1.0", $"FaceNet.Net --version {LocalPackageFeed.Version}", StringComparison.Ordinal)
                .Replace("~/.cache/FaceNet.Net/weights/20180402-114759-vggface2.pt", weights, StringComparison.Ordinal)
                .Replace("faces/", faces, StringComparison.Ordinal);
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "cd")
            {
                folder = Path.Combine(folder, words[1]);
                // Step 2 of the page: replace Program.cs (created by `dotnet new console`) with the page's program.
                File.WriteAllText(Path.Combine(folder, "Program.cs"), code);
                continue;
            }
            last = ProcessRunner.Run(words[0], words.Skip(1), folder, TimeSpan.FromMinutes(6));
            Assert.That(last.ExitCode, Is.EqualTo(0), $"{command}\n{last}");
        }

        // The default threshold 0.7: with the seeded random weights every face is within it, and each enrolled face is itself closest.
        Assert.That(last!.StandardOutput, Does.Contain("enrolled: 4 identities"), last.ToString());
        Assert.That(last.StandardOutput, Does.Contain("verify angelina_jolie.png as angelina_jolie: match (distance 0.0000, threshold 0.70)"), last.ToString());
        Assert.That(last.StandardOutput, Does.Contain("identify paul_rudd.png: paul_rudd (distance 0.0000)"), last.ToString());
        Assert.That(File.ReadAllText(Path.Combine(folder, "FaceCheck.csproj")), Does.Contain("libtorch-cpu-linux-x64"));
    }

    private static string Normalise(string text) => NewLines().Replace(text, "\n").Trim('\n');

    [GeneratedRegex("\r\n?")]
    private static partial Regex NewLines();
}
