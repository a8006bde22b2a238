using System.Text.RegularExpressions;
using System.Xml.Linq;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Server.Tests;

/// <summary>
/// The service's Dockerfile cannot be built where the tests run (no Docker engine), so its references are checked:
/// every path it copies from the repository exists, the project it publishes is the service's, and the entry point
/// is the assembly that project builds.
/// </summary>
public partial class DockerfileTests
{
    private static readonly string Root = SharedFixtures.RepositoryRoot;
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(Root, "src", "FaceNet.Net.Server", "Dockerfile"));

    [Test]
    public void Every_path_copied_from_the_build_context_exists()
    {
        var sources = CopyLine().Matches(Dockerfile).Select(m => m.Groups["args"].Value)
            .Where(a => !a.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
            .Where(s => !s.Contains('$', StringComparison.Ordinal)) // the weights: build arguments the builder names
            .ToArray();
        Assert.That(sources, Is.Not.Empty);
        foreach (var source in sources)
            Assert.That(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), Is.True, $"COPY {source}");
        Assert.That(Dockerfile, Does.Contain("ARG WEIGHTS=").And.Contain("ARG MTCNN="), "the weights are copied in at build time");
    }

    [Test]
    public void The_published_project_and_the_entry_point_are_the_services()
    {
        var publish = Regex.Match(Dockerfile, @"dotnet publish (\S+\.csproj)").Groups[1].Value;
        var project = Path.Combine(Root, publish);
        Assert.That(File.Exists(project), Is.True, publish);
        var assembly = XDocument.Load(project).Descendants("AssemblyName").Single().Value;
        Assert.That(Dockerfile, Does.Contain($"ENTRYPOINT [\"dotnet\", \"{assembly}.dll\"]"));
        Assert.That(typeof(Program).Assembly.GetName().Name, Is.EqualTo(assembly));
    }

    [Test]
    public void The_image_runs_offline_as_a_non_root_user_with_a_health_check()
    {
        Assert.That(Dockerfile, Does.Contain("USER $APP_UID"));
        Assert.That(Dockerfile, Does.Contain("FaceNet__Offline=true").And.Contain("FACENET_OFFLINE=1"));
        Assert.That(Dockerfile, Does.Match(@"HEALTHCHECK[\s\S]*?/health"));
    }

    [GeneratedRegex(@"^COPY\s+(?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();
}
