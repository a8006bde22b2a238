using System.IO.Compression;
using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// The two tools are RID-specific (linux-x64) .NET tool packages with complete metadata, that install from a local feed
/// and run. The metadata check reads the properties <c>dotnet pack</c> uses from MSBuild (a few seconds); the install
/// test packs each tool (about 120 MB, it carries libtorch for CPU; a minute or two each here) and installs it.
/// </summary>
[Category(TestCategories.Packaging)]
public class ToolPackageTests
{
    private static readonly string[] Properties =
        ["PackAsTool", "ToolCommandName", "PackageId", "IsPackable", "Description", "PackageTags", "PackageLicenseExpression",
         "RepositoryUrl", "PackageProjectUrl", "PackageReadmeFile", "Authors", "IncludeSymbols", "TargetFramework"];

    [TestCase("src/FaceNet.Net.Cli/FaceNet.Net.Cli.csproj", "FaceNet.Net.Cli", "facenet")]
    [TestCase("weights-converter/FaceNet.Net.WeightsConverter.csproj", "FaceNet.Net.WeightsConverter", "facenet-convert")]
    public void The_tool_packs_as_a_dotnet_tool_with_complete_metadata(string project, string packageId, string command)
    {
        var path = Path.Combine(SharedFixtures.RepositoryRoot, project);
        var run = ProcessRunner.Dotnet(SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(2),
            new[] { "msbuild", path, "-p:Configuration=Release" }.Concat(Properties.Select(p => "-getProperty:" + p)).ToArray());
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        var values = JsonDocument.Parse(run.StandardOutput).RootElement.GetProperty("Properties");
        string Get(string name) => values.GetProperty(name).GetString() ?? "";

        Assert.Multiple(() =>
        {
            Assert.That(Get("PackAsTool"), Is.EqualTo("true"));
            Assert.That(Get("IsPackable"), Is.EqualTo("true"));
            Assert.That(Get("ToolCommandName"), Is.EqualTo(command));
            Assert.That(Get("PackageId"), Is.EqualTo(packageId));
            Assert.That(Get("Description"), Does.Contain(command).And.Length.GreaterThan(40));
            Assert.That(Get("PackageTags"), Does.Contain("facenet").And.Contain("dotnet-tool"));
            Assert.That(Get("PackageLicenseExpression"), Is.EqualTo("MIT"));
            Assert.That(Get("RepositoryUrl"), Does.StartWith("https://"));
            Assert.That(Get("PackageProjectUrl"), Does.StartWith("https://"));
            Assert.That(Get("PackageReadmeFile"), Is.EqualTo("README.md"));
            Assert.That(Get("Authors"), Is.Not.Empty);
            Assert.That(Get("TargetFramework"), Is.EqualTo("net10.0"));
        });
    }

    [TestCase("src/FaceNet.Net.Cli/FaceNet.Net.Cli.csproj", "FaceNet.Net.Cli", "facenet", "info")]
    [TestCase("weights-converter/FaceNet.Net.WeightsConverter.csproj", "FaceNet.Net.WeightsConverter", "facenet-convert", "--help")]
    public void The_tool_installs_from_a_local_feed_and_runs(string project, string packageId, string command, string argument)
    {
        var work = LocalPackageFeed.NewWorkFolder("tool-" + command);
        var feed = Path.Combine(work, "feed");
        var version = "0.0.0-tool." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        var pack = ProcessRunner.Dotnet(work, TimeSpan.FromMinutes(8), "pack", Path.Combine(SharedFixtures.RepositoryRoot, project),
            "-c", "Release", "-o", feed, $"-p:Version={version}");
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.ToString());

        // A pointer package naming the RIDs, and the linux-x64 package with the tool and only the natives it loads.
        var ridPackage = Path.Combine(feed, $"{packageId}.linux-x64.{version}.nupkg");
        Assert.That(File.Exists(Path.Combine(feed, $"{packageId}.{version}.nupkg")), Is.True, pack.ToString());
        Assert.That(File.Exists(ridPackage), Is.True, pack.ToString());
        using (var zip = ZipFile.OpenRead(ridPackage))
        {
            var files = zip.Entries.Select(e => e.FullName).ToList();
            Assert.That(files, Has.Some.EndsWith("/libtorch_cpu.so").And.Some.EndsWith("/libLibTorchSharp.so"));
            Assert.That(files.Where(f => f.Contains("libtorch_python", StringComparison.Ordinal) || f.EndsWith("_test.so", StringComparison.Ordinal)
                                         || f.EndsWith(".dll", StringComparison.Ordinal) && f.Contains("/native/", StringComparison.Ordinal)
                                         || f.EndsWith(".dylib", StringComparison.Ordinal) || f.Contains("/win-", StringComparison.Ordinal) || f.Contains("/osx", StringComparison.Ordinal)),
                Is.Empty, "no Python binding, test library or other system's native file");
            TestContext.Out.WriteLine($"{Path.GetFileName(ridPackage)}: {new FileInfo(ridPackage).Length} bytes, {zip.Entries.Sum(e => e.Length)} unpacked");
        }

        var tools = Path.Combine(work, "tools");
        var install = ProcessRunner.Dotnet(work, TimeSpan.FromMinutes(5), "tool", "install", "--tool-path", tools, "--add-source", feed, packageId, "--version", version);
        try
        {
            Assert.That(install.ExitCode, Is.EqualTo(0), install.ToString());
            var run = ProcessRunner.Run(Path.Combine(tools, command), [argument], work, TimeSpan.FromMinutes(2));
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            // facenet info loads libtorch from the tool's own folder and reports its version.
            Assert.That(run.StandardOutput, command == "facenet" ? Does.Match(@"libtorch\s+2\.10") : Does.Contain("convert"), run.ToString());
        }
        finally
        {
            LocalPackageFeed.RemoveFromPackageCache(packageId, version);
            LocalPackageFeed.RemoveFromPackageCache(packageId + ".linux-x64", version);
        }
    }
}
