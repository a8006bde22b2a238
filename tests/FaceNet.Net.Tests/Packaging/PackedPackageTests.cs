using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// A console app created outside the repository references the packed library from a local folder
/// feed (plus the CPU backend) and runs a tensor operation: the libstdc++ fix must work from the
/// package, where no MSBuild target of ours runs.
/// </summary>
[Category(TestCategories.Packaging)]
public class PackedPackageTests
{
    [Test]
    public void An_app_referencing_the_packed_package_runs_a_tensor_operation()
    {
        var app = LocalPackageFeed.NewWorkFolder("app");
        LocalPackageFeed.WriteNuGetConfig(app);
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
                <PackageReference Include="FaceNet.Net" Version="{LocalPackageFeed.Version}" />
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

        var run = ProcessRunner.Dotnet(app, TimeSpan.FromMinutes(5), "run", "-c", "Release");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.StandardOutput, Does.Contain("result=3,3,12,12"), run.ToString());
    }
}
