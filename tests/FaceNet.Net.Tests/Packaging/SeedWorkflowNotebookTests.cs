using System.Text.Json.Nodes;
using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Packaging;

/// <summary>
/// Runs every cell of <c>docs/notebooks/seed-workflow.ipynb</c> with the .NET Interactive C# kernel against the
/// freshly packed package: a copy of the notebook whose <c>#r "nuget: FaceNet.Net, ..."</c> line points at the
/// local feed and version (nothing else changes); the weights and faces come from the shared fixtures through
/// <c>FACENET_SHARED</c>, as the notebook reads them. A cell that throws fails the test.
/// </summary>
[Category(TestCategories.Packaging)]
public class SeedWorkflowNotebookTests
{
    private const string PackageLine = "#r \"nuget: FaceNet.Net, 0.1.0\"";
    private static readonly string Notebook = Path.Combine(SharedFixtures.RepositoryRoot, "docs", "notebooks", "seed-workflow.ipynb");

    [Test]
    public void Every_cell_of_the_seed_workflow_notebook_runs_with_the_packed_package()
    {
        SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        SharedFixtures.Path("fixtures", "faces", "aligned");
        var shared = SharedFixtures.RootOrNull!;

        var copy = Path.Combine(LocalPackageFeed.NewWorkFolder("seed-notebook"), "seed-workflow.ipynb");
        var codeCells = PointAtLocalFeed(Notebook, copy);

        var result = NotebookRunner.Run(copy, new Dictionary<string, string?>
        {
            ["FACENET_SHARED"] = shared,
            ["FACENET_WEIGHTS"] = null,
            ["FACENET_FACES"] = null,
        });

        Assert.That(result.Run.ExitCode, Is.EqualTo(0), result.ToString());
        Assert.That(result.CellOutcomes, Has.Count.EqualTo(CellCount(Notebook)), "every cell ran: " + result);
        Assert.That(result.CellOutcomes, Is.All.EqualTo("Passed"), result.ToString());
        Assert.That(codeCells, Is.GreaterThanOrEqualTo(8));
        Assert.Multiple(() =>
        {
            Assert.That(result.Report, Does.Contain("data:image/png;base64,iVBOR"), "the faces are shown inline as PNG");
            Assert.That(result.Report, Does.Contain("128-d embeddings"));
            Assert.That(result.Report, Does.Contain("verify angelina_jolie vs angelina_jolie at 0.70: match (distance 0.000)"));
            Assert.That(result.Report, Does.Contain("verify angelina_jolie vs bradley_cooper at 0.70: match"), "the random weights put every face within 0.7");
            Assert.That(result.Report, Does.Contain("verify angelina_jolie vs bradley_cooper at 0.05: no match"));
            Assert.That(result.Report, Does.Contain("who is paul_rudd at 0.05: paul_rudd (distance 0.000)"));
            Assert.That(result.Report, Does.Contain("who is shea_whigham at 0.05: unknown"), "the stranger is unknown under the strict threshold");
            Assert.That(result.Report, Does.Contain("done"));
        });
    }

    [Test]
    public void The_notebook_references_the_package_and_the_CPU_backend_in_its_first_code_cell()
    {
        var cells = JsonNode.Parse(File.ReadAllText(Notebook))!["cells"]!.AsArray();
        var first = cells.First(c => (string?)c!["cell_type"] == "code")!;
        var source = string.Concat(first["source"]!.AsArray().Select(l => (string?)l));
        Assert.That(source, Does.Contain(PackageLine));
        Assert.That(source, Does.Contain("#r \"nuget: libtorch-cpu-linux-x64, 2.10.0\""));
    }

    /// <summary>Writes <paramref name="target"/>: the notebook with its package line pointing at the local feed; returns the number of code cells.</summary>
    private static int PointAtLocalFeed(string source, string target)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(source))!;
        var replaced = 0;
        var code = 0;
        foreach (var cell in notebook["cells"]!.AsArray())
        {
            if ((string?)cell!["cell_type"] != "code") continue;
            code++;
            var lines = cell["source"]!.AsArray();
            for (var i = 0; i < lines.Count; i++)
            {
                var line = (string?)lines[i] ?? "";
                if (line.TrimEnd('\n') != PackageLine) continue;
                lines[i] = $"#i \"nuget: {LocalPackageFeed.Folder}\"\n#r \"nuget: FaceNet.Net, {LocalPackageFeed.Version}\"" + (line.EndsWith('\n') ? "\n" : "");
                replaced++;
            }
        }
        Assert.That(replaced, Is.EqualTo(1), $"the notebook references FaceNet.Net with exactly one line '{PackageLine}'");
        File.WriteAllText(target, notebook.ToJsonString());
        return code;
    }

    private static int CellCount(string path) => JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray().Count;
}
