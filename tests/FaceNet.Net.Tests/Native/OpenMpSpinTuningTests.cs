using System.Text.Json;
using FaceNet.Net.Native;
using FaceNet.Net.Tests.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net.Tests.Native;

/// <summary>libgomp's spin count, set before libtorch loads unless the user chose otherwise.</summary>
public class OpenMpSpinTuningTests
{
    private static OpenMpSpinTuning.Decision Decide(bool loaded, params (string Name, string Value)[] variables) =>
        OpenMpSpinTuning.Decide(enabled: true, name => variables.FirstOrDefault(v => v.Name == name).Value, loaded);

    [Test]
    public void It_applies_only_when_nobody_chose_and_libgomp_is_not_loaded()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Decide(false), Is.EqualTo(OpenMpSpinTuning.Decision.Apply));
            Assert.That(Decide(true), Is.EqualTo(OpenMpSpinTuning.Decision.TooLate));
            Assert.That(Decide(false, ("GOMP_SPINCOUNT", "500")), Is.EqualTo(OpenMpSpinTuning.Decision.UserSetting));
            Assert.That(Decide(false, ("OMP_WAIT_POLICY", "ACTIVE")), Is.EqualTo(OpenMpSpinTuning.Decision.UserSetting));
            Assert.That(OpenMpSpinTuning.Decide(enabled: false, _ => null, libgompLoaded: false), Is.EqualTo(OpenMpSpinTuning.Decision.Disabled));
        });
    }

    [Test]
    public void Once_libtorch_is_loaded_it_is_too_late_to_change()
    {
        FaceNetRuntime.EnsureInitialized();
        Assert.That(OpenMpSpinTuning.Apply(enabled: true, NullLogger.Instance), Is.Not.EqualTo(OpenMpSpinTuning.Decision.Apply));
    }

    [TestCase(null, null, "10000")]
    [TestCase("0", null, null)]
    [TestCase(null, "500", "500")]
    public void A_new_process_reports_the_spin_count_it_runs_with(string? tuning, string? userSpinCount, string? expected)
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("libgomp's spin count is set on Linux only");
        var result = FacenetCli.Run(new Dictionary<string, string?>
        {
            ["FACENET_OMP_TUNING"] = tuning,
            ["GOMP_SPINCOUNT"] = userSpinCount,
            ["OMP_WAIT_POLICY"] = null,
        }, "info", "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        // The tool's JSON leaves out null values.
        string? reported = json.RootElement.TryGetProperty("openMpSpinCount", out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;
        Assert.That(reported, Is.EqualTo(expected), result.StandardOutput);
    }
}
