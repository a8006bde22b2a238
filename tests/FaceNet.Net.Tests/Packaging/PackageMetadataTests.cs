using System.IO.Compression;
using System.Xml.Linq;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>Reads the <c>.nuspec</c> inside the packed <c>FaceNet.Net</c> package and checks its metadata and content.</summary>
[Category(TestCategories.Packaging)]
public class PackageMetadataTests
{
    private XElement _metadata = null!;
    private XNamespace _ns = XNamespace.None;
    private IReadOnlyList<string> _entries = Array.Empty<string>();

    [OneTimeSetUp]
    public void ReadPackage()
    {
        var nupkg = Path.Combine(LocalPackageFeed.Folder, $"FaceNet.Net.{LocalPackageFeed.Version}.nupkg");
        using var zip = ZipFile.OpenRead(nupkg);
        _entries = zip.Entries.Select(e => e.FullName).ToList();
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var doc = XDocument.Load(stream);
        _ns = doc.Root!.Name.Namespace;
        _metadata = doc.Root.Element(_ns + "metadata")!;
    }

    private string? Field(string name) => _metadata.Element(_ns + name)?.Value;

    [Test]
    public void Identity_description_and_tags_are_set()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Field("id"), Is.EqualTo("FaceNet.Net"));
            Assert.That(Field("version"), Is.EqualTo(LocalPackageFeed.Version));
            Assert.That(Field("description"), Does.Contain("FaceNet").And.Length.GreaterThan(60));
            Assert.That(Field("tags"), Does.Contain("facenet").And.Contain("face-recognition"));
            Assert.That(Field("authors"), Is.Not.Empty);
        });
    }

    [Test]
    public void Licence_is_the_MIT_expression()
    {
        var license = _metadata.Element(_ns + "license");
        Assert.That(license, Is.Not.Null);
        Assert.That(license!.Attribute("type")?.Value, Is.EqualTo("expression"));
        Assert.That(license.Value, Is.EqualTo("MIT"));
    }

    [Test]
    public void Readme_is_inside_the_package()
    {
        Assert.That(Field("readme"), Is.EqualTo("README.md"));
        Assert.That(_entries, Does.Contain("README.md"));
    }

    [Test]
    public void Repository_is_recorded_for_SourceLink()
    {
        var repo = _metadata.Element(_ns + "repository");
        Assert.That(repo, Is.Not.Null);
        Assert.That(repo!.Attribute("type")?.Value, Is.EqualTo("git"));
        Assert.That(repo.Attribute("url")?.Value, Does.StartWith("https://"));
        Assert.That(repo.Attribute("commit")?.Value, Has.Length.EqualTo(40), "SourceLink records the commit the package was built from");
    }

    [Test]
    public void Assembly_and_xml_docs_ship_for_each_target_framework_and_a_symbol_package_exists()
    {
        var libs = _entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).ToList();
        var frameworks = libs.Select(e => e.Split('/')[1]).Distinct().ToList();
        Assert.That(frameworks, Is.Not.Empty);
        foreach (var tfm in frameworks)
        {
            Assert.That(libs, Does.Contain($"lib/{tfm}/FaceNet.Net.dll"));
            Assert.That(libs, Does.Contain($"lib/{tfm}/FaceNet.Net.xml"), "XML documentation ships with the assembly");
        }
        Assert.That(File.Exists(Path.Combine(LocalPackageFeed.Folder, $"FaceNet.Net.{LocalPackageFeed.Version}.snupkg")), Is.True);
    }

    [Test]
    public void Both_target_frameworks_ship_with_their_dependencies_and_the_project_url_is_set()
    {
        var frameworks = _entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.Split('/')[1]).Distinct().Order().ToList();
        Assert.That(frameworks, Is.EqualTo(new[] { "net10.0", "net8.0" }), "the current LTS and the one before it");
        var groups = _metadata.Descendants(_ns + "group").Select(g => g.Attribute("targetFramework")?.Value).ToList();
        Assert.That(groups, Is.EquivalentTo(new[] { "net8.0", "net10.0" }));
        Assert.That(Field("projectUrl"), Does.StartWith("https://"));
        Assert.That(Field("copyright"), Is.Not.Empty);
    }

    [Test]
    public void The_native_backend_is_left_to_the_app()
    {
        var dependencies = _metadata.Descendants(_ns + "dependency").Select(d => d.Attribute("id")!.Value).Distinct().ToList();
        Assert.That(dependencies, Does.Contain("TorchSharp"));
        Assert.That(dependencies.Where(d => d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || d.StartsWith("TorchSharp-", StringComparison.Ordinal)),
            Is.Empty, "no native backend package is forced on consumers");
        Assert.That(_entries.Where(e => e.StartsWith("runtimes/", StringComparison.Ordinal)), Is.Empty);
    }
}
