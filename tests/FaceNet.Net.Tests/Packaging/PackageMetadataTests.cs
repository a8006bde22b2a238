using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>Reads the <c>.nuspec</c> inside the packed <c>FaceNet.Net</c> package and checks its metadata and content.</summary>
[Category(TestCategories.Packaging)]
public partial class PackageMetadataTests
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
    public void Readme_is_written_for_nuget_org_with_absolute_links_and_nothing_about_the_fixtures()
    {
        var readme = ReadEntry("README.md");
        var links = MarkdownLink().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.That(links, Is.Not.Empty);
        Assert.That(links.Where(l => !l.StartsWith("https://", StringComparison.Ordinal)), Is.Empty, "nuget.org cannot follow relative links");
        var repository = _metadata.Element(_ns + "repository")!.Attribute("url")!.Value;
        Assert.That(links.Where(l => l.Contains("/docs/", StringComparison.Ordinal)), Has.All.StartWith(repository + "/blob/main/docs/"));
        Assert.That(readme, Does.Not.Contain("shared/").And.Not.Contain("FACENET_SHARED").And.Not.Contain("fixtures"));
    }

    [Test]
    public void Icon_is_a_png_inside_the_package()
    {
        Assert.That(Field("icon"), Is.EqualTo("icon.png"));
        using var zip = ZipFile.OpenRead(Nupkg);
        using var icon = zip.GetEntry("icon.png")!.Open();
        var header = new byte[8];
        icon.ReadExactly(header);
        Assert.That(header, Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
    }

    [Test]
    public void Release_notes_are_docs_release_notes_md()
    {
        var notes = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "docs", "release-notes.md"));
        Assert.That(Field("releaseNotes")?.Trim(), Is.EqualTo(notes.Trim()));
        Assert.That(notes, Does.Contain("## 0.1.0"));
    }

    [Test]
    public void The_pdb_in_the_symbol_package_maps_the_sources_to_the_commit_on_the_repository()
    {
        var snupkg = Path.Combine(LocalPackageFeed.Folder, $"FaceNet.Net.{LocalPackageFeed.Version}.snupkg");
        using var zip = ZipFile.OpenRead(snupkg);
        using var pdbStream = new MemoryStream();
        using (var entry = zip.GetEntry("lib/net10.0/FaceNet.Net.pdb")!.Open()) entry.CopyTo(pdbStream);
        pdbStream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdbStream);
        var pdb = provider.GetMetadataReader();

        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        var record = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation)
            .Where(c => pdb.GetGuid(c.Kind) == sourceLinkKind).Select(c => pdb.GetBlobBytes(c.Value)).SingleOrDefault();
        Assert.That(record, Is.Not.Null, "the PDB has a SourceLink record");
        var documents = JsonDocument.Parse(record!).RootElement.GetProperty("documents").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!);

        var commit = _metadata.Element(_ns + "repository")!.Attribute("commit")!.Value;
        var raw = _metadata.Element(_ns + "repository")!.Attribute("url")!.Value.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        var source = pdb.Documents.Select(d => pdb.GetString(pdb.GetDocument(d).Name))
            .Single(n => n.EndsWith("src/FaceNet.Net/FaceNetRuntime.cs", StringComparison.Ordinal));
        var mapping = documents.Single(d => source.StartsWith(d.Key.TrimEnd('*'), StringComparison.Ordinal));
        Assert.That(mapping.Value, Is.EqualTo($"{raw}/{commit}/*"), "src/ maps to the raw files of the commit packed");
    }

    private string Nupkg => Path.Combine(LocalPackageFeed.Folder, $"FaceNet.Net.{LocalPackageFeed.Version}.nupkg");

    private string ReadEntry(string name)
    {
        using var zip = ZipFile.OpenRead(Nupkg);
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

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
    public void Every_dependency_has_the_range_Directory_Packages_props_gives_it()
    {
        var dependencies = _metadata.Descendants(_ns + "dependency").ToList();
        Assert.Multiple(() =>
        {
            foreach (var (id, range) in new[] { ("TorchSharp", "[0.107.0, 0.108.0)"), ("SixLabors.ImageSharp", "[2.1.13, 3.0.0)"), ("PureHDF", "[2.2.0, 3.0.0)"),
                                                ("Microsoft.Extensions.Logging.Abstractions", "10.0.0") })
                Assert.That(dependencies.Where(d => d.Attribute("id")!.Value == id).Select(d => d.Attribute("version")!.Value),
                    Is.Not.Empty.And.All.EqualTo(range), id);
        });
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
