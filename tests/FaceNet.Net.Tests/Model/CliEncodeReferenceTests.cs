using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Model;

/// <summary>The built <c>facenet encode</c> and <c>facenet-convert</c> tools reproduce the reference numbers.</summary>
[Category(TestCategories.Reference)]
public class CliEncodeReferenceTests
{
    private static string Weights => SharedFixtures.Path("fixtures", "reference-128", "weights.h5");

    private static string PyTorchWeights => SharedFixtures.Path("fixtures", "reference-128", "facenet-pytorch-128.pt");

    [Test]
    public void Encode_raw_nhwc_inputs_prints_the_reference_embeddings_as_json()
    {
        var cases = ReferenceCases.Load().Where(c => c.Name.EndsWith(".f32", StringComparison.Ordinal)).ToList();
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, ["encode", "--weights", Weights, "--raw-nhwc", .. cases.Select(c => c.InputPath), "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        AssertMatches(result.StandardOutput, cases);
    }

    [Test]
    public void Encode_an_image_with_fixed_preprocessing_prints_the_reference_embedding()
    {
        var cases = ReferenceCases.Load().Where(c => c.Name == "paul_rudd.png|fixed").ToList();
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", Weights, "--preprocess", "fixed", cases[0].InputPath, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        AssertMatches(result.StandardOutput, cases);
    }

    [Test]
    public void Convert_verify_and_encode_with_the_recorded_preprocessing()
    {
        using var temp = new TempFolder();
        var converted = temp.File("facenet.safetensors");
        var convert = BuiltTools.Run(BuiltTools.Converter, "convert", Weights, "-o", converted, "--preprocess", "prewhiten", "--json");
        Assert.That(convert.ExitCode, Is.EqualTo(0), convert.ToString());
        Assert.That(convert.StandardError, Is.Empty, "no progress bar when stderr is not a terminal");
        Assert.That(temp.Files(), Is.EqualTo(new[] { "facenet.safetensors" }));

        var verify = BuiltTools.Run(BuiltTools.Converter, "verify", Weights, converted);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.ToString());
        Assert.That(verify.StandardOutput, Does.StartWith("identical: 602 tensors"));

        var inspect = BuiltTools.Run(BuiltTools.Converter, "inspect", Weights, "--json");
        Assert.That(inspect.ExitCode, Is.EqualTo(0), inspect.ToString());
        using (var info = JsonDocument.Parse(inspect.StandardOutput))
        {
            Assert.That(info.RootElement.GetProperty("embeddingSize").GetInt32(), Is.EqualTo(128));
            Assert.That(info.RootElement.GetProperty("kerasVersion").GetString(), Is.EqualTo("2.1.2"));
            Assert.That(info.RootElement.GetProperty("layerCount").GetInt32(), Is.EqualTo(447));
        }

        var cases = ReferenceCases.Load().Where(c => c.Name == "kate_siegel.png|prewhiten").ToList();
        var encode = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", converted, cases[0].InputPath, "--json");
        Assert.That(encode.ExitCode, Is.EqualTo(0), encode.ToString());
        AssertMatches(encode.StandardOutput, cases);
    }

    [Test]
    public void Encode_with_facenet_pytorch_pt_weights_prints_the_reference_embeddings()
    {
        var cases = ReferenceCases.Load().Where(c => c.Name.EndsWith(".f32", StringComparison.Ordinal)).ToList();
        var result = BuiltTools.Run(BuiltTools.FaceNetCli,
            ["encode", "--weights", PyTorchWeights, "--preprocess", "fixed", "--raw-nhwc", .. cases.Select(c => c.InputPath), "--json"]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        AssertMatches(result.StandardOutput, cases);

        // Without --preprocess a .pt file gets facenet-pytorch's own standardisation.
        var image = ReferenceCases.Load().Where(c => c.Name == "paul_rudd.png|fixed").ToList();
        var encode = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", PyTorchWeights, image[0].InputPath, "--json");
        Assert.That(encode.ExitCode, Is.EqualTo(0), encode.ToString());
        AssertMatches(encode.StandardOutput, image);
    }

    [Test]
    public void Convert_a_pt_file_records_fixed_preprocessing_and_the_converted_file_encodes_the_reference()
    {
        using var temp = new TempFolder();
        var converted = temp.File("vggface2-like.safetensors");
        var convert = BuiltTools.Run(BuiltTools.Converter, "convert", PyTorchWeights, "-o", converted, "--json");
        Assert.That(convert.ExitCode, Is.EqualTo(0), convert.ToString());
        Assert.That(temp.Files(), Is.EqualTo(new[] { "vggface2-like.safetensors" }));

        // The .pt holds the h5's weights bit for bit: the same 602 tensors (head and counters skipped).
        var verify = BuiltTools.Run(BuiltTools.Converter, "verify", Weights, PyTorchWeights);
        Assert.That(verify.ExitCode, Is.EqualTo(0), verify.ToString());
        Assert.That(verify.StandardOutput, Does.StartWith("identical: 602 tensors"));

        var inspect = BuiltTools.Run(BuiltTools.Converter, "inspect", converted, "--json");
        Assert.That(inspect.ExitCode, Is.EqualTo(0), inspect.ToString());
        using (var info = JsonDocument.Parse(inspect.StandardOutput))
        {
            var metadata = info.RootElement.GetProperty("metadata");
            Assert.That(metadata.GetProperty("facenet.preprocessing").GetString(), Is.EqualTo("fixed"));
            Assert.That(metadata.GetProperty("facenet.source_file").GetString(), Is.EqualTo("facenet-pytorch-128.pt"));
            Assert.That(info.RootElement.GetProperty("embeddingSize").GetInt32(), Is.EqualTo(128));
        }

        var rawCases = ReferenceCases.Load().Where(c => c.Name.EndsWith(".f32", StringComparison.Ordinal)).ToList();
        var raw = BuiltTools.Run(BuiltTools.FaceNetCli, ["encode", "--weights", converted, "--raw-nhwc", .. rawCases.Select(c => c.InputPath), "--json"]);
        Assert.That(raw.ExitCode, Is.EqualTo(0), raw.ToString());
        AssertMatches(raw.StandardOutput, rawCases);

        var image = ReferenceCases.Load().Where(c => c.Name == "kate_siegel.png|fixed").ToList();
        var encode = BuiltTools.Run(BuiltTools.FaceNetCli, "encode", "--weights", converted, image[0].InputPath, "--json");
        Assert.That(encode.ExitCode, Is.EqualTo(0), encode.ToString());
        AssertMatches(encode.StandardOutput, image);
    }

    private static void AssertMatches(string json, IReadOnlyList<ReferenceCase> cases)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "embeddings" }));
        var embeddings = root.GetProperty("embeddings").EnumerateArray().ToList();
        Assert.That(embeddings, Has.Count.EqualTo(cases.Count));
        Assert.Multiple(() =>
        {
            for (int i = 0; i < cases.Count; i++)
            {
                var e = embeddings[i];
                Assert.That(e.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "input", "raw", "normalized" }));
                Assert.That(e.GetProperty("input").GetString(), Is.EqualTo(cases[i].InputPath));
                var raw = e.GetProperty("raw").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                var normalized = e.GetProperty("normalized").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                float rawError = ReferenceCases.MaxAbsDifference(raw, cases[i].Raw);
                float normError = ReferenceCases.MaxAbsDifference(normalized, cases[i].Normalized);
                TestContext.Out.WriteLine($"CLI {cases[i].Name,-28} raw error {rawError:E2}, normalized error {normError:E2}");
                Assert.That(rawError, Is.LessThanOrEqualTo(ReferenceCases.Tolerance), cases[i].Name);
                Assert.That(normError, Is.LessThanOrEqualTo(ReferenceCases.Tolerance), cases[i].Name);
            }
        });
    }
}
