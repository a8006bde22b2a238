using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// The example app <c>samples/FaceNet.Net.Example</c> (not in the solution) is copied outside the repository,
/// built against the freshly packed package from the local feed and run on the reference weights and the five
/// aligned faces: the whole flow (load, enrol, verify, identify) from the package as a consumer gets it.
/// </summary>
[Category(TestCategories.Packaging)]
public class ExampleAppTests
{
    [Test]
    public void The_example_app_builds_from_the_local_feed_and_runs_the_whole_flow()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var faces = SharedFixtures.Path("fixtures", "faces", "aligned");
        var app = CopyExample();

        // 0.05: below the ~0.09 between different faces under the seeded random weights, above 0 for the same face.
        var run = ProcessRunner.Dotnet(app, TimeSpan.FromMinutes(6), "run", "-c", "Release",
            $"-p:FaceNetVersion={LocalPackageFeed.Version}", "--", weights, faces, "0.05");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.One.StartsWith("weights: 128-d, fingerprint "), run.ToString());
            Assert.That(lines, Has.One.EqualTo("enrolled: 4 identities"), run.ToString());
            Assert.That(lines, Has.One.EqualTo("verify angelina_jolie.png as angelina_jolie: match (distance 0.0000, threshold 0.05)"), run.ToString());
            Assert.That(lines, Has.One.StartsWith("verify angelina_jolie.png as bradley_cooper: no match (distance 0."), run.ToString());
            foreach (var person in new[] { "angelina_jolie", "bradley_cooper", "kate_siegel", "paul_rudd" })
                Assert.That(lines, Has.One.EqualTo($"identify {person}.png: {person} (distance 0.0000)"), run.ToString());
            Assert.That(lines, Has.One.StartsWith("identify shea_whigham.png: unknown (distance 0."), run.ToString());
        });

        // The built app reports bad input with exit code 2 and one line naming the file.
        var dll = Path.Combine(app, "bin", "Release", "net10.0", "FaceNet.Net.Example.dll");
        var missing = ProcessRunner.Run("dotnet", new[] { dll, Path.Combine(app, "no-such-weights.h5"), faces }, app, TimeSpan.FromMinutes(2));
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(missing.StandardError, Does.Contain("no-such-weights.h5"), missing.ToString());
        var usage = ProcessRunner.Run("dotnet", new[] { dll }, app, TimeSpan.FromMinutes(2));
        Assert.That(usage.ExitCode, Is.EqualTo(2), usage.ToString());
        Assert.That(usage.StandardError, Does.StartWith("usage:"), usage.ToString());
    }

    /// <summary>Copies <c>samples/</c> (the example and the props files that keep it standalone) into a work folder with a nuget.config for the local feed.</summary>
    private static string CopyExample()
    {
        var root = LocalPackageFeed.NewWorkFolder("example");
        var samples = Path.Combine(SharedFixtures.RepositoryRoot, "samples");
        foreach (var file in Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(samples, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("bin") || parts.Contains("obj")) continue;
            var target = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        LocalPackageFeed.WriteNuGetConfig(root);
        return Path.Combine(root, "FaceNet.Net.Example");
    }
}
