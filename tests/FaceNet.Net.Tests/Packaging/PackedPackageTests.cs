using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// Packs the library and runs a console app created outside the repository that references it from a
/// local folder feed (plus the CPU backend): the libstdc++ fix must work from the package, where no
/// MSBuild target of ours runs.
/// </summary>
[Category(TestCategories.Packaging)]
public class PackedPackageTests
{
    [Test]
    public void An_app_referencing_the_packed_package_runs_a_tensor_operation()
    {
        var work = Directory.CreateTempSubdirectory("facenet-pack-");
        var version = "0.0.0-smoke." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var timeout = TimeSpan.FromMinutes(5);
            var project = Path.Combine(SharedFixtures.RepositoryRoot, "src", "FaceNet.Net", "FaceNet.Net.csproj");

            var pack = ProcessRunner.Dotnet(work.FullName, timeout, "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}");
            Assert.That(pack.ExitCode, Is.EqualTo(0), pack.ToString());
            Assert.That(File.Exists(Path.Combine(feed, $"FaceNet.Net.{version}.nupkg")), Is.True, pack.ToString());

            var app = Path.Combine(work.FullName, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
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
                    <PackageReference Include="FaceNet.Net" Version="{version}" />
                    <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using FaceNet.Net;
                using TorchSharp;
                var report = FaceNetRuntime.EnsureInitialized();
                using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
                using var b = torch.ones(3, 2);
                using var product = a.matmul(b);
                Console.WriteLine($"result={string.Join(",", product.data<float>().ToArray())} fix={report.CompatibilityFixApplied}");
                """);

            var run = ProcessRunner.Dotnet(app, timeout, "run", "-c", "Release");
            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            Assert.That(run.StandardOutput, Does.Contain("result=3,3,12,12"), run.ToString());
        }
        finally
        {
            work.Delete(recursive: true);
            // Each run packs a unique version; drop it from the global package cache again.
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var cached = Path.Combine(packages, "facenet.net", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }
}
