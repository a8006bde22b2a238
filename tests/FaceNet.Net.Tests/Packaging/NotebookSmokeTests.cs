using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// A .NET Interactive notebook that pulls the packed library with <c>#r "nuget: ..."</c> (no MSBuild
/// target runs there) computes with TorchSharp. Cells run in the C# kernel through the repository's
/// local tool <c>dotnet-repl</c>, which exits non-zero when a cell fails.
/// </summary>
[Category(TestCategories.Packaging)]
public class NotebookSmokeTests
{
    [Test]
    public void A_notebook_referencing_the_package_initialises_TorchSharp_and_computes()
    {
        var folder = LocalPackageFeed.NewWorkFolder("notebook");
        var notebook = Path.Combine(folder, "smoke.ipynb");
        NotebookFile.Write(notebook,
            $"#i \"nuget: {LocalPackageFeed.Folder}\"\n#r \"nuget: FaceNet.Net, {LocalPackageFeed.Version}\"\n#r \"nuget: libtorch-cpu-linux-x64, 2.10.0\"",
            "using FaceNet.Net;\nvar report = FaceNetRuntime.EnsureInitialized();\nConsole.WriteLine($\"fix={report.CompatibilityFixApplied}\");",
            "var sum = TorchSharp.torch.ones(2, 3).sum().item<float>();\nif (sum != 6f) throw new Exception($\"sum was {sum}\");\nConsole.WriteLine($\"sum={sum}\");");

        var result = NotebookRunner.Run(notebook);

        Assert.That(result.Run.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.CellOutcomes, Is.EqualTo(new[] { "Passed", "Passed", "Passed" }), result.ToString());
        Assert.That(result.Report, Does.Contain("sum=6"), result.ToString());
    }

    [Test]
    public void A_failing_cell_fails_the_run()
    {
        var folder = LocalPackageFeed.NewWorkFolder("notebook-fail");
        var notebook = Path.Combine(folder, "fail.ipynb");
        NotebookFile.Write(notebook, "var x = 1;", "throw new InvalidOperationException(\"cell failure\");");

        var result = NotebookRunner.Run(notebook);

        Assert.That(result.Run.ExitCode, Is.Not.EqualTo(0), result.ToString());
        Assert.That(result.CellOutcomes, Is.EqualTo(new[] { "Passed", "Failed" }), result.ToString());
    }
}
