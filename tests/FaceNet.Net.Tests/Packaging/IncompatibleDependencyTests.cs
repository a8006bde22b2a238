using System.Reflection;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// An app that references the packed FaceNet.Net together with an ImageSharp 4.x or a TorchSharp 0.108 is warned at restore
/// (NU1608, naming both versions) and stopped at the library's first use by an <c>IncompatibleDependencyException</c> naming
/// both versions and the fix, never by a <see cref="TypeLoadException"/> from inside. The registry serves neither version,
/// so each is a stub package built here: an assembly of that name and version, signed with the real one's public key,
/// holding only the types FaceNet.Net's public signatures need (as ImageSharp 4.x still has <c>Image&lt;Rgb24&gt;</c> but
/// no <c>IImageInfo</c>). Their unique prerelease versions (0.108.1-stub.*, since 0.108.0-* would sort inside
/// the range [0.107.0,0.108.0)) are removed from the package cache afterwards.
/// </summary>
[Category(TestCategories.Packaging)]
public class IncompatibleDependencyTests
{
    private static readonly string Stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
    private string _stubFeed = "";
    private readonly List<(string Id, string Version)> _stubs = [];

    [OneTimeSetUp]
    public void PackStubs()
    {
        _stubFeed = LocalPackageFeed.NewWorkFolder("stub-feed");
        PackStub("SixLabors.ImageSharp", $"4.0.0-stub.{Stamp}", "4.0.0.0", typeof(SixLabors.ImageSharp.Image).Assembly, """
            namespace SixLabors.ImageSharp { public class Image<TPixel> where TPixel : unmanaged { } }
            namespace SixLabors.ImageSharp.PixelFormats { public struct Rgb24 { } }
            """);
        PackStub("TorchSharp", $"0.108.1-stub.{Stamp}", "0.108.0.0", typeof(TorchSharp.torch).Assembly,
            "namespace TorchSharp { public static class Placeholder { } }");
    }

    [OneTimeTearDown]
    public void RemoveStubsFromThePackageCache()
    {
        foreach (var (id, version) in _stubs) LocalPackageFeed.RemoveFromPackageCache(id, version);
    }

    [Test]
    public void ImageSharp_4_is_named_at_restore_and_stopped_at_first_use() =>
        AssertStopped("SixLabors.ImageSharp", $"4.0.0-stub.{Stamp}", "(>= 2.1.13 && < 3.0.0)", "4.0.0.0", "SixLabors.ImageSharp 2.x");

    [Test]
    public void TorchSharp_0_108_is_named_at_restore_and_stopped_at_first_use() =>
        AssertStopped("TorchSharp", $"0.108.1-stub.{Stamp}", "(>= 0.107.0 && < 0.108.0)", "0.108.0.0", "TorchSharp 0.107.x");

    /// <summary>Builds an app encoding a face from a file with <paramref name="id"/> pinned to the stub, and runs it.</summary>
    private void AssertStopped(string id, string version, string range, string assemblyVersion, string needed)
    {
        var app = LocalPackageFeed.NewConsumerApp("app-" + id, [(id, version)], _stubFeed);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            try
            {
                using var encoder = FaceNet.Net.Embeddings.FaceEncoder.FromWeights(args[0]);
                Console.WriteLine($"ENCODED {encoder.Encode(args[1]).Vector.Length}");
                return 0;
            }
            catch (FaceNet.Net.FaceNetException e) { Console.WriteLine($"{e.GetType().Name}: {e.Message}"); }
            catch (Exception e) { Console.WriteLine($"UNEXPECTED {e}"); return 4; }
            // The other entry point that touches ImageSharp first: loading an image alone.
            try
            {
                _ = FaceNet.Net.Imaging.ImageLoader.Load(args[1]);
                Console.WriteLine("LOADED");
                return 0;
            }
            catch (FaceNet.Net.FaceNetException e) { Console.WriteLine($"LOAD {e.GetType().Name}"); return 3; }
            catch (Exception e) { Console.WriteLine($"UNEXPECTED {e}"); return 4; }
            """);

        var build = ProcessRunner.Dotnet(app, TimeSpan.FromMinutes(5), "build", "-c", "Release", "-o", "out");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.ToString());
        Assert.That(build.StandardOutput, Does.Contain($"warning NU1608").And.Contain($"requires {id} {range} but version {id} {version} was resolved"),
            "restore names both versions");

        var run = ProcessRunner.Run("dotnet",
            [Path.Combine(app, "out", "app.dll"), SharedFixtures.Path("fixtures", "reference-128", "weights.h5"), SharedFixtures.Path("fixtures", "faces", "aligned", "paul_rudd.png")],
            app, TimeSpan.FromMinutes(2));
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StandardOutput, Does.StartWith("IncompatibleDependencyException: ")
            .And.Contain($"needs {needed}").And.Contain($"loads {id} {assemblyVersion}").And.Contain("Fix: reference").And.Contain("\nLOAD IncompatibleDependencyException")
            .And.Not.Contain("TypeLoadException").And.Not.Contain("UNEXPECTED"), run.ToString());
    }

    /// <summary>Packs a class library named <paramref name="id"/> into the stub feed, signed with <paramref name="real"/>'s public key.</summary>
    private void PackStub(string id, string version, string assemblyVersion, Assembly real, string code)
    {
        var project = LocalPackageFeed.NewWorkFolder("stub-" + id);
        var publicKey = real.GetName().GetPublicKey() ?? [];
        var signing = "";
        if (publicKey.Length > 0)
        {
            File.WriteAllBytes(Path.Combine(project, "public.snk"), publicKey);
            signing = "<SignAssembly>true</SignAssembly><PublicSign>true</PublicSign><AssemblyOriginatorKeyFile>public.snk</AssemblyOriginatorKeyFile>";
        }
        File.WriteAllText(Path.Combine(project, "stub.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net8.0</TargetFramework>
                <AssemblyName>{id}</AssemblyName>
                <PackageId>{id}</PackageId>
                <Version>{version}</Version>
                <AssemblyVersion>{assemblyVersion}</AssemblyVersion>
                <Authors>FaceNet.Net tests</Authors>
                <Description>A stand-in for {id} {assemblyVersion} in the packaging tests.</Description>
                <IsPackable>true</IsPackable>
                {signing}
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Stub.cs"), code);
        var pack = ProcessRunner.Dotnet(project, TimeSpan.FromMinutes(3), "pack", "-c", "Release", "-o", _stubFeed);
        Assert.That(pack.ExitCode, Is.EqualTo(0), pack.ToString());
        _stubs.Add((id, version));
    }
}
