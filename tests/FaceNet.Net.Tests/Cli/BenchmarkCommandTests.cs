using System.Text.Json;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.Cli;

/// <summary>
/// The built <c>facenet benchmark</c>: its JSON shape, and exit code 2 on bad options. Checks the shape only;
/// the speed itself is measured by the BenchmarkDotNet suite, not by tests.
/// </summary>
public class BenchmarkCommandTests
{
    [Test]
    [Category(TestCategories.Reference)]
    public void Json_output_has_the_throughput_fields()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", weights, "--batch", "2", "--seconds", "0.2", "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("device").GetString(), Is.EqualTo("cpu"));
            Assert.That(root.GetProperty("precision").GetString(), Is.EqualTo("float32"));
            Assert.That(root.GetProperty("folded").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(2));
            Assert.That(root.GetProperty("threads").GetInt32(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("imagesPerSecond").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("millisecondsPerBatch").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("timedBatches").GetInt32(), Is.GreaterThanOrEqualTo(3));
            // A folded float32 CPU model runs its body as one TorchScript call after the first pass wherever the
            // fused convolution is available.
            Assert.That(root.GetProperty("compiledBody").GetBoolean(), Is.EqualTo(root.GetProperty("fusedConvolution").GetBoolean()));
        });
        double perBatch = root.GetProperty("millisecondsPerBatch").GetDouble();
        Assert.That(root.GetProperty("imagesPerSecond").GetDouble(), Is.EqualTo(2000.0 / perBatch).Within(1e-6).Percent);
    }

    [Test]
    [Category(TestCategories.Reference)]
    public void The_unfolded_network_runs_module_by_module()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", weights, "--batch", "1", "--seconds", "0.2", "--unfolded", "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.That(json.RootElement.GetProperty("folded").GetBoolean(), Is.False);
        Assert.That(json.RootElement.GetProperty("compiledBody").GetBoolean(), Is.False);
    }

    [Test]
    [Category(TestCategories.Reference)]
    public void Int8_runs_the_int8_body_and_int8_with_unfolded_exits_with_code_2()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", weights, "--batch", "2", "--seconds", "0.2", "--precision", "int8", "--json");
        if (result.ExitCode == 2 && result.StandardError.Contains("Precision Int8 runs on the CPU's oneDNN backend only", StringComparison.Ordinal))
            Assert.Ignore($"int8 does not run here: {result.StandardError.Trim()}");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using (var json = JsonDocument.Parse(result.StandardOutput))
        {
            Assert.That(json.RootElement.GetProperty("precision").GetString(), Is.EqualTo("int8"));
            Assert.That(json.RootElement.GetProperty("backend").GetString(), Is.EqualTo("onednn-int8"));
            Assert.That(json.RootElement.GetProperty("compiledBody").GetBoolean(), Is.True);
        }
        var unfolded = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", weights, "--precision", "int8", "--unfolded", "--seconds", "0.1");
        Assert.That(unfolded.ExitCode, Is.EqualTo(2), unfolded.ToString());
        Assert.That(unfolded.StandardError.Trim(), Does.Not.Contain("\n").And.Contain("float32 only"));
    }

    [TestCase("--batch", "0")]
    [TestCase("--seconds", "-1")]
    [TestCase("--device", "tpu")]
    [TestCase("--precision", "int4")]
    [TestCase("--threads", "0")]
    public void Bad_options_exit_with_code_2(string option, string value)
    {
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", "missing.h5", option, value);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }

    [Test]
    public void Missing_weights_exit_with_code_2()
    {
        var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", "no-such-weights.h5", "--seconds", "0.1");
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }

    [Test]
    public void Cuda_without_a_gpu_exits_with_code_2()
    {
        var weights = Path.GetTempFileName();
        try
        {
            var result = BuiltTools.Run(BuiltTools.FaceNetCli, "benchmark", "--weights", weights, "--device", "cuda", "--seconds", "0.1");
            if (result.ExitCode == 0) Assert.Ignore("a CUDA device is available here");
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        }
        finally
        {
            File.Delete(weights);
        }
    }
}
