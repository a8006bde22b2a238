using System.Runtime.InteropServices;
using FaceNet.Net.Configuration;
using Microsoft.Extensions.Logging;

namespace FaceNet.Net.Native;

/// <summary>
/// Shortens how long libtorch's idle OpenMP threads busy-wait after each parallel region, so that the process's
/// other parallel work (the gallery search that follows an encode, the app's own threads) gets the cores back at
/// once. Linux only; once per process, from <see cref="FaceNetRuntime.EnsureInitialized"/>, before
/// libtorch (and with it libgomp, which reads the setting once when it loads) is loaded.
/// </summary>
/// <remarks>
/// <para>Why: GNU libgomp's threads spin for a while (<c>GOMP_SPINCOUNT</c>, 300,000 by default) before sleeping.
/// While they spin they hold the cores, so parallel managed work right after a small libtorch operation (the
/// gallery scan after an encode) runs markedly slower; with <c>GOMP_SPINCOUNT=10000</c> it does not, and the
/// encoder's own passes are unchanged (measurements in docs/performance.md).</para>
/// <para>What: sets <c>GOMP_SPINCOUNT=10000</c> in the process environment (libc <c>setenv</c>, which libgomp
/// reads) unless the user set <c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c> or libgomp is already loaded.
/// <see cref="FaceNetRuntimeOptions.OpenMpSpinTuning"/> (override: <see cref="EnvironmentOverrides.OpenMpTuning"/>) leaves OpenMP alone. Call before other threads read the environment
/// (glibc's <c>setenv</c> is not safe against concurrent <c>getenv</c>); <see cref="FaceNetRuntime"/> does so
/// under its lock, before it loads anything.</para>
/// </remarks>
internal static partial class OpenMpSpinTuning
{
    /// <summary>libgomp's spin-count variable.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The spin count set.</summary>
    public const string SpinCount = "10000";

    /// <summary>Why the setting was or was not applied.</summary>
    public enum Decision
    {
        /// <summary>Set <see cref="SpinCountVariable"/> to <see cref="SpinCount"/>.</summary>
        Apply,

        /// <summary>The options (or their override, <see cref="EnvironmentOverrides.OpenMpTuning"/>) turn it off.</summary>
        Disabled,

        /// <summary>The user chose OpenMP's waiting already (<c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c>).</summary>
        UserSetting,

        /// <summary>libgomp is already loaded: it has read its settings.</summary>
        TooLate,

        /// <summary>Not Linux, or libc's <c>setenv</c> could not be called.</summary>
        NotApplicable,
    }

    /// <summary>
    /// What to do, from the setting, OpenMP's own environment (<paramref name="variable"/> reads one) and whether
    /// libgomp is loaded.
    /// </summary>
    public static Decision Decide(bool enabled, Func<string, string?> variable, bool libgompLoaded)
    {
        if (!enabled) return Decision.Disabled;
        if (variable(SpinCountVariable) is not null || variable("OMP_WAIT_POLICY") is not null) return Decision.UserSetting;
        return libgompLoaded ? Decision.TooLate : Decision.Apply;
    }

    /// <summary>Applies the setting when <see cref="Decide"/> says so; returns the decision.</summary>
    public static Decision Apply(bool enabled, ILogger logger)
    {
        if (!OperatingSystem.IsLinux()) return Decision.NotApplicable;
        bool loaded = MappedLibraries.Find(name => name.StartsWith("libgomp", StringComparison.Ordinal)).Any();
        var decision = Decide(enabled, Environment.GetEnvironmentVariable, loaded);
        if (decision != Decision.Apply) return decision;
        try
        {
            if (SetEnv(SpinCountVariable, SpinCount, overwrite: 0) != 0) return Decision.NotApplicable;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Decision.NotApplicable;
        }
        // .NET keeps its own copy of the environment (what child processes inherit): keep it in step.
        Environment.SetEnvironmentVariable(SpinCountVariable, SpinCount);
        logger.LogInformation("FaceNet.Net set {Variable}={Value} so libtorch's idle OpenMP threads stop spinning sooner ({Disable}=0 turns this off)",
            SpinCountVariable, SpinCount, EnvironmentOverrides.OpenMpTuning);
        return Decision.Apply;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
