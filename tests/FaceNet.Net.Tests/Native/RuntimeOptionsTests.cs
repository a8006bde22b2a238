using FaceNet.Net.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net.Tests.Native;

/// <summary>
/// The process-wide options: environment overrides on top of them, and what <see cref="FaceNetRuntime.Configure"/>
/// accepts once the runtime is initialised. No test here changes the process's options.
/// </summary>
public class RuntimeOptionsTests
{
    private static Func<string, bool?> Environment(params (string Name, bool Value)[] set) =>
        name => set.Any(s => s.Name == name) ? set.First(s => s.Name == name).Value : null;

    [Test]
    public void The_defaults_keep_the_libstdcxx_fix_on_and_leave_the_process_wide_tunings_to_the_application()
    {
        var options = new FaceNetRuntimeOptions();
        Assert.That((options.LibStdCxxFix, options.MallocTuning, options.OpenMpSpinTuning), Is.EqualTo((true, false, false)));
        var tuned = options.WithProcessTuning();
        Assert.That((tuned.LibStdCxxFix, tuned.MallocTuning, tuned.OpenMpSpinTuning), Is.EqualTo((true, true, true)));
        Assert.That(options.LoggerFactory, Is.Null);
        Assert.That(options.NativeCacheDirectory, Is.Null);
        Assert.That(FaceNetRuntime.WithEnvironmentOverrides(options, Environment()), Is.EqualTo(options), "no variable set: the options as given");
    }

    [Test]
    public void A_set_override_variable_wins_over_the_option_both_ways()
    {
        var defaults = new FaceNetRuntimeOptions().WithProcessTuning();
        var off = FaceNetRuntime.WithEnvironmentOverrides(defaults, Environment(
            (EnvironmentOverrides.DisableLibStdCxxFix, true), (EnvironmentOverrides.MallocTuning, false), (EnvironmentOverrides.OpenMpTuning, false)));
        Assert.That((off.LibStdCxxFix, off.MallocTuning, off.OpenMpSpinTuning), Is.EqualTo((false, false, false)));

        var allOff = new FaceNetRuntimeOptions { LibStdCxxFix = false, MallocTuning = false, OpenMpSpinTuning = false };
        var on = FaceNetRuntime.WithEnvironmentOverrides(allOff, Environment(
            (EnvironmentOverrides.DisableLibStdCxxFix, false), (EnvironmentOverrides.MallocTuning, true), (EnvironmentOverrides.OpenMpTuning, true)));
        Assert.That((on.LibStdCxxFix, on.MallocTuning, on.OpenMpSpinTuning), Is.EqualTo((true, true, true)));
    }

    [Test]
    public void The_overrides_are_read_through_the_one_parser()
    {
        Assert.That(EnvironmentOverrides.ParseSwitch(EnvironmentOverrides.MallocTuning, " Off "), Is.False);
        var e = Assert.Throws<FaceNetConfigurationException>(() => EnvironmentOverrides.ParseSwitch(EnvironmentOverrides.OpenMpTuning, "nope"));
        Assert.That(e!.Message, Does.Contain(EnvironmentOverrides.OpenMpTuning));
    }

    [Test]
    public void After_initialisation_only_the_logger_factory_may_change()
    {
        var inForce = new FaceNetRuntimeOptions();
        Assert.That(FaceNetRuntime.ReconfigurationRefusal(inForce, new FaceNetRuntimeOptions()), Is.Null, "the same options again");
        Assert.That(FaceNetRuntime.ReconfigurationRefusal(inForce, inForce with { LoggerFactory = NullLoggerFactory.Instance }), Is.Null);

        var refusal = FaceNetRuntime.ReconfigurationRefusal(inForce, inForce with { MallocTuning = true, NativeCacheDirectory = "/tmp/x" });
        Assert.That(refusal, Does.Contain("MallocTuning, NativeCacheDirectory"));
        Assert.That(refusal, Does.Contain("Call FaceNetRuntime.Configure before the first use"));
        Assert.That(FaceNetRuntime.ReconfigurationRefusal(inForce, inForce with { LibStdCxxFix = false }), Does.Contain("LibStdCxxFix"));
        Assert.That(FaceNetRuntime.ReconfigurationRefusal(inForce, inForce with { OpenMpSpinTuning = true }), Does.Contain("OpenMpSpinTuning"));
    }

    [Test]
    public void Configure_after_initialisation_accepts_the_options_in_force_and_refuses_a_change_without_applying_it()
    {
        FaceNetRuntime.EnsureInitialized();
        var current = FaceNetRuntime.Options;
        Assert.DoesNotThrow(() => FaceNetRuntime.Configure(current));

        var e = Assert.Throws<InvalidOperationException>(() => FaceNetRuntime.Configure(current with { MallocTuning = !current.MallocTuning }));
        Assert.That(e!.Message, Does.Contain("MallocTuning"));
        Assert.That(FaceNetRuntime.Options.MallocTuning, Is.EqualTo(current.MallocTuning), "the refused options were not taken");
    }

    [Test]
    public void The_logger_factory_property_is_the_options_one()
    {
        Assert.That(FaceNetRuntime.LoggerFactory, Is.SameAs(FaceNetRuntime.Options.LoggerFactory ?? NullLoggerFactory.Instance));
    }
}
