using System.Xml.Linq;
using FaceNet.Net.Dependencies;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Dependencies;

/// <summary>The version check run at first use: its ranges are the package's, and its verdicts.</summary>
public class DependencyVersionsTests
{
    [Test]
    public void Each_rule_range_is_the_one_Directory_Packages_props_gives_the_package()
    {
        var props = XDocument.Load(Path.Combine(SharedFixtures.RepositoryRoot, "Directory.Packages.props"));
        var versions = props.Descendants("PackageVersion").ToDictionary(e => e.Attribute("Include")!.Value, e => e.Attribute("Version")!.Value);
        foreach (var rule in DependencyVersions.Rules)
            Assert.That(versions[rule.AssemblyName].Replace(" ", ""), Is.EqualTo(rule.PackageRange), rule.AssemblyName);
    }

    [Test]
    public void The_versions_this_process_loads_pass() => Assert.DoesNotThrow(DependencyVersions.EnsureCompatible);

    [TestCase("SixLabors.ImageSharp", "2.0.0.0", "2.0.0.0", true)]
    [TestCase("SixLabors.ImageSharp", "2.0.0.0", "2.1.0.0", true)]
    [TestCase("SixLabors.ImageSharp", "2.0.0.0", "3.0.0.0", false)]
    [TestCase("SixLabors.ImageSharp", "2.0.0.0", "4.0.0.0", false)]
    [TestCase("SixLabors.ImageSharp", "2.0.0.0", "1.0.0.0", false)]
    [TestCase("TorchSharp", "0.107.0.0", "0.107.3.0", true)]
    [TestCase("TorchSharp", "0.107.0.0", "0.108.0.0", false)]
    [TestCase("TorchSharp", "0.107.0.0", "0.106.0.0", false)]
    public void A_version_passes_when_its_major_and_for_TorchSharp_minor_match(string name, string builtAgainst, string found, bool passes)
    {
        var rule = DependencyVersions.Rules.Single(r => r.AssemblyName == name);
        var message = DependencyVersions.Mismatch(rule, Version.Parse(builtAgainst), Version.Parse(found));
        if (passes)
            Assert.That(message, Is.Null);
        else
            Assert.That(message, Does.Contain($"loads {name} {found}").And.Contain(rule.PackageRange).And.Contain("Fix: reference").And.Contain("NU1608"));
    }
}
