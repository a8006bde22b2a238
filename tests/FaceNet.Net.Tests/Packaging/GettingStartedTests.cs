using System.Text.RegularExpressions;
using FaceNet.Net.Tests.Docs;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// <c>docs/getting-started.md</c> followed literally, as a new user would: its shell commands run in an empty folder,
/// in order, with an empty home folder and an empty NuGet package cache, and its C# block becomes <c>Program.cs</c>. Only
/// the clone's URL (the repository under test: its committed HEAD), the weights file and the faces folder are replaced.
/// It downloads every package (TorchSharp and libtorch included) and packs the repository: several minutes.
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
            "git clone https://github.com/facenet-net/FaceNet.Net",
            "FaceNet.Net/build/pack-local.sh",
            "dotnet tool install --global FaceNet.Net.Cli --version 0.1.0 --add-source FaceNet.Net/artifacts/packages",
            "facenet info",
            "facenet weights get vggface2",
            "facenet weights get mtcnn",
            "dotnet new console -o FaceCheck",
            "cd FaceCheck",
            "dotnet new nugetconfig",
            "dotnet nuget add source ../FaceNet.Net/artifacts/packages --name facenet-local",
            "dotnet add package FaceNet.Net --version 0.1.0",
            "dotnet add package libtorch-cpu-linux-x64 --version 2.10.0",
            "dotnet run -- ~/.cache/FaceNet.Net/weights/20180402-114759-vggface2.pt faces/",
            "facenet verify me.jpg me-again.jpg",
        }), "the commands this test knows how to run; update the test with the page");
        // Steps 0 and 4 fetch from the internet or need the published weights: WeightsCommandTests runs 'weights get' against
        // a local server, ReadmeMainJobTests runs 'verify' on photos from a filled cache.
        commands = commands.Where(c => !c.StartsWith("facenet weights ", StringComparison.Ordinal) && !c.StartsWith("facenet verify ", StringComparison.Ordinal)).ToList();
        var code = MarkdownBlocks.Read(Page).Single(b => b.Language == "csharp").Text;

        // A new user: an empty home folder (so ~/.dotnet/tools, ~/.cache and the NuGet cache start empty) with only the
        // machine's NuGet sources, and an empty package cache.
        var folder = LocalPackageFeed.NewWorkFolder("getting-started");
        var home = Path.Combine(folder, "home");
        var packages = Path.Combine(folder, "nuget-packages");
        Directory.CreateDirectory(Path.Combine(home, ".nuget", "NuGet"));
        var userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(userConfig)) File.Copy(userConfig, Path.Combine(home, ".nuget", "NuGet", "NuGet.Config"));
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["NUGET_PACKAGES"] = packages,
            ["DOTNET_CLI_HOME"] = null,
            ["PATH"] = Path.Combine(home, ".dotnet", "tools") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        ProcessRunner.Result? last = null;
        foreach (var command in commands)
        {
            var line = command
                .Replace("https://github.com/facenet-net/FaceNet.Net", SharedFixtures.RepositoryRoot + " FaceNet.Net", StringComparison.Ordinal)
                .Replace("~/.cache/FaceNet.Net/weights/20180402-114759-vggface2.pt", weights, StringComparison.Ordinal)
                .Replace("faces/", faces, StringComparison.Ordinal);
            if (line.StartsWith("cd ", StringComparison.Ordinal))
            {
                folder = Path.Combine(folder, line[3..]);
                // Step 2 of the page: replace Program.cs (created by `dotnet new console`) with the page's program.
                File.WriteAllText(Path.Combine(folder, "Program.cs"), code);
                continue;
            }
            var started = clock.Elapsed;
            last = ProcessRunner.Run("bash", ["-c", line], folder, TimeSpan.FromMinutes(15), environment);
            TestContext.Out.WriteLine($"{clock.Elapsed - started:mm\\:ss} {command}");
            Assert.That(last.ExitCode, Is.EqualTo(0), $"{command}\n{last}");
            if (command == "facenet info")
                Assert.That(last.StandardOutput, Does.Match(@"libtorch\s+2\.10"), "the installed tool loads libtorch: " + last);
        }
        TestContext.Out.WriteLine($"{clock.Elapsed:mm\\:ss} in all");

        // The default threshold 0.7: with the seeded random weights every face is within it, and each enrolled face is itself closest.
        Assert.That(last!.StandardOutput, Does.Contain("enrolled: 4 identities"), last.ToString());
        Assert.That(last.StandardOutput, Does.Contain("verify angelina_jolie.png as angelina_jolie: match (distance 0.0000, threshold 0.70)"), last.ToString());
        Assert.That(last.StandardOutput, Does.Contain("identify paul_rudd.png: paul_rudd (distance 0.0000)"), last.ToString());
        Assert.That(File.ReadAllText(Path.Combine(folder, "FaceCheck.csproj")), Does.Contain("libtorch-cpu-linux-x64"));
        Assert.That(Directory.Exists(Path.Combine(packages, "facenet.net", "0.1.0")), Is.True, "FaceNet.Net 0.1.0 came from the local feed into the empty cache");
    }

    private static string Normalise(string text) => NewLines().Replace(text, "\n").Trim('\n');

    [GeneratedRegex("\r\n?")]
    private static partial Regex NewLines();
}
