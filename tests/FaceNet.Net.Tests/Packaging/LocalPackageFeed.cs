using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// Packs <c>FaceNet.Net</c> once per test run into a temporary folder feed, under a unique prerelease
/// version so the global package cache never serves a stale copy; removes both afterwards.
/// </summary>
public static class LocalPackageFeed
{
    private static readonly Lazy<(string Feed, string Version)> Packed = new(Pack, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly DirectoryInfo Work = Directory.CreateTempSubdirectory("facenet-feed-");

    /// <summary>The folder holding the packed <c>.nupkg</c>.</summary>
    public static string Folder => Packed.Value.Feed;

    /// <summary>The version the package was packed with.</summary>
    public static string Version => Packed.Value.Version;

    /// <summary>A fresh empty folder for a consumer project or notebook.</summary>
    public static string NewWorkFolder(string name)
    {
        var dir = Path.Combine(Work.FullName, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A <c>nuget.config</c> adding the local feed (and <paramref name="moreFeeds"/>) to the default sources.</summary>
    public static void WriteNuGetConfig(string folder, params string[] moreFeeds) =>
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="facenet-local" value="{Folder}" />
            {string.Concat(moreFeeds.Select((feed, i) => $"    <add key=\"more-{i}\" value=\"{feed}\" />\n"))}  </packageSources>
            </configuration>
            """);

    /// <summary>
    /// A console project in a new work folder referencing the packed library (from the local feed, and
    /// <paramref name="moreFeeds"/>) and the given other packages (id, version).
    /// </summary>
    public static string NewConsumerApp(string name, IEnumerable<(string Id, string Version)> packages, params string[] moreFeeds)
    {
        var app = NewWorkFolder(name);
        WriteNuGetConfig(app, moreFeeds);
        var references = string.Concat(packages.Select(p => $"\n    <PackageReference Include=\"{p.Id}\" Version=\"{p.Version}\" />"));
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="FaceNet.Net" Version="{Version}" />{references}
              </ItemGroup>
            </Project>
            """);
        return app;
    }

    /// <summary>Deletes one version of a package from the global package cache (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).</summary>
    public static void RemoveFromPackageCache(string id, string version)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, id.ToLowerInvariant(), version);
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    /// <summary>Deletes the feed and the packed version from the global package cache.</summary>
    public static void CleanUp()
    {
        if (Packed.IsValueCreated) RemoveFromPackageCache("FaceNet.Net", Packed.Value.Version);
        if (Work.Exists) Work.Delete(recursive: true);
    }

    private static (string, string) Pack()
    {
        var feed = Path.Combine(Work.FullName, "feed");
        var version = "0.0.0-local." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        var project = Path.Combine(SharedFixtures.RepositoryRoot, "src", "FaceNet.Net", "FaceNet.Net.csproj");
        var pack = ProcessRunner.Dotnet(Work.FullName, TimeSpan.FromMinutes(5), "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}");
        if (pack.ExitCode != 0 || !File.Exists(Path.Combine(feed, $"FaceNet.Net.{version}.nupkg")))
            throw new InvalidOperationException("dotnet pack failed: " + pack);
        return (feed, version);
    }
}

/// <summary>Removes the local feed once every test has run.</summary>
[SetUpFixture]
public sealed class LocalPackageFeedCleanup
{
    /// <summary>Runs after the last test in this namespace.</summary>
    [OneTimeTearDown]
    public void CleanUp() => LocalPackageFeed.CleanUp();
}
