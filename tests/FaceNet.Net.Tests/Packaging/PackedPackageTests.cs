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
        var app = NewApp("app", withBackend: true);
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

    [Test]
    public void Without_a_native_backend_the_app_gets_a_message_naming_the_package_to_add()
    {
        var app = NewApp("app-no-backend", withBackend: false);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            try { FaceNet.Net.FaceNetRuntime.EnsureInitialized(); Console.WriteLine("loaded"); return 0; }
            catch (FaceNet.Net.Native.NativeRuntimeException e) { Console.WriteLine("MESSAGE: " + e.Message.Split('\n')[0]); return 3; }
            """);

        var build = ProcessRunner.Dotnet(app, TimeSpan.FromMinutes(5), "build", "-c", "Release", "-o", "out");
        Assert.That(build.ExitCode, Is.EqualTo(0), build.ToString());

        // TorchSharp (and the library) fall back to the NuGet cache, as notebooks need; point it at an empty one.
        var emptyCache = LocalPackageFeed.NewWorkFolder("empty-nuget-cache");
        var run = ProcessRunner.Run("dotnet", new[] { Path.Combine(app, "out", "app.dll") }, app, TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = emptyCache });
        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StandardOutput, Does.Contain("libtorch-cpu-linux-x64"), run.ToString());
    }

    /// <summary>A console project outside the repository referencing the packed library from the local feed.</summary>
    private static string NewApp(string name, bool withBackend) =>
        LocalPackageFeed.NewConsumerApp(name, withBackend ? [("libtorch-cpu-linux-x64", "2.10.0")] : []);
}
