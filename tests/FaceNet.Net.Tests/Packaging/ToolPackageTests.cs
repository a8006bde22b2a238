using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// The two tools are .NET tool packages with complete metadata. Packing a tool takes about 25 s and writes
/// 150 MB (it carries libtorch for CPU), so this reads the properties <c>dotnet pack</c> uses from MSBuild
/// instead (a few seconds).
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
}
