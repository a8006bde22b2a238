using FaceNet.Net.Configuration;
using FaceNet.Net.Dependencies;
using FaceNet.Net.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net;

/// <summary>
/// One-time native initialisation of TorchSharp for the whole process, and the process-wide options it runs with.
/// Every library entry point calls <see cref="EnsureInitialized"/> before its first tensor, so callers normally never
/// need to; call it yourself before using TorchSharp directly in the same process. To change a process-wide choice,
/// call <see cref="Configure"/> before anything else.
/// </summary>
/// <remarks>
/// <para>On Linux x64 the first call chooses the libtorch to use from absolute paths only (the app's backend package, a
/// libtorch on <c>LD_LIBRARY_PATH</c>, the NuGet cache) and loads it by those paths, so a different libtorch on the
/// system's library path (Debian's <c>python3-torch</c> puts 1.13 there) is never mapped beside it; when only such a
/// foreign libtorch is reachable it throws <see cref="NativeRuntimeException"/> naming it and the fix
/// (docs/troubleshooting.md).</para>
/// <para>On Linux x64 hosts whose libstdc++ lacks <c>GLIBCXX_3.4.32</c> (Debian 12, Ubuntu 22.04), TorchSharp
/// 0.107.0 as shipped fails to load. The first call loads a patched copy (cached under
/// <see cref="FaceNetRuntimeOptions.NativeCacheDirectory"/>) and logs one Information line through
/// <see cref="LoggerFactory"/>; see <see cref="NativeRuntimeReport"/> for what happened
/// (<see cref="FaceNetRuntimeOptions.LibStdCxxFix"/> turns this off).</para>
/// <para>Only when the application opts in (<see cref="FaceNetRuntimeOptions.WithProcessTuning"/>; the <c>facenet</c>
/// tool and the HTTP service do) the first call on Linux with glibc also fixes malloc's mmap and trim thresholds
/// (<see cref="FaceNetRuntimeOptions.MallocTuning"/>) and, before libtorch loads, sets <c>GOMP_SPINCOUNT=10000</c> unless
/// the user chose OpenMP's waiting (<see cref="FaceNetRuntimeOptions.OpenMpSpinTuning"/>); see docs/performance.md.
/// Both change the whole host process, so a library never does them on its own.</para>
/// <para>Thread-safe: concurrent first calls initialise once; later calls return the same report.
/// A failed initialisation is not cached, so a later call retries (after <see cref="Configure"/> if need be).</para>
/// </remarks>
public static class FaceNetRuntime
{
    /// <summary>Environment variable that disables the libstdc++ compatibility fix when set to <c>1</c>, <c>true</c> or <c>on</c>.</summary>
    public const string DisableFixVariable = EnvironmentOverrides.DisableLibStdCxxFix;

    private static readonly object Gate = new();
    private static volatile NativeRuntimeReport? _report;
    private static FaceNetRuntimeOptions _options = new();
    private static FaceNetRuntimeOptions? _initializedWith;

    /// <summary>The options set with <see cref="Configure"/> (the defaults until then), before environment overrides.</summary>
    public static FaceNetRuntimeOptions Options => Volatile.Read(ref _options);

    /// <summary>
    /// Where the library's log lines go (default: nowhere); the same as <see cref="FaceNetRuntimeOptions.LoggerFactory"/>.
    /// Set it before the first call into the library to see the one-time native initialisation lines; it may change later.
    /// </summary>
    public static ILoggerFactory LoggerFactory
    {
        get => Options.LoggerFactory ?? NullLoggerFactory.Instance;
        set
        {
            lock (Gate) Volatile.Write(ref _options, _options with { LoggerFactory = value });
        }
    }

    /// <summary>The report of the initialisation, or null before it has run.</summary>
    public static NativeRuntimeReport? Report => _report;

    /// <summary>The library's own version (from its assembly).</summary>
    public static string Version =>
        (typeof(FaceNetRuntime).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "unknown").Split('+')[0];

    /// <summary>
    /// Sets the process-wide options. Call it before the first call into the library: the native settings are applied
    /// once, at initialisation. Calling it again before then replaces the options; afterwards it accepts options that
    /// differ from those in force only in <see cref="FaceNetRuntimeOptions.LoggerFactory"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The runtime is already initialised with different native settings.</exception>
    public static void Configure(FaceNetRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            var refusal = _initializedWith is null ? null : ReconfigurationRefusal(_initializedWith, options);
            if (refusal is not null) throw new InvalidOperationException(refusal);
            Volatile.Write(ref _options, options);
        }
    }

    /// <summary>Makes TorchSharp's native backend usable in this process, once.</summary>
    /// <returns>What was found and done.</returns>
    /// <exception cref="NativeRuntimeException">The native backend cannot be loaded; the message says what to install.</exception>
    /// <exception cref="FaceNetConfigurationException">An override environment variable (docs/configuration.md) has a value that is not a switch.</exception>
    /// <exception cref="IncompatibleDependencyException">The app loads a TorchSharp, ImageSharp or PureHDF version the library does not work with; the message names both versions and the fix.</exception>
    public static NativeRuntimeReport EnsureInitialized()
    {
        var report = _report;
        if (report is not null) return report;
        DependencyVersions.EnsureCompatible();   // before the loader below touches any TorchSharp type
        lock (Gate)
        {
            report = _report;
            if (report is not null) return report;
            var settings = WithEnvironmentOverrides(_options, EnvironmentOverrides.Switch);
            var logger = LoggerFactory.CreateLogger("FaceNet.Net.Native");
            var openMp = OpenMpSpinTuning.Apply(settings.OpenMpSpinTuning, logger); // before libtorch loads libgomp, which reads it once
            report = TorchSharpNativeLoader.Load(logger, settings.LibStdCxxFix, settings.NativeCacheDirectory ?? PatchedLibraryCache.DefaultRoot);
            bool malloc = MallocTuning.Apply(settings.MallocTuning, logger);
            report = report with
            {
                MallocTuningApplied = malloc,
                OpenMpSpinTuningApplied = openMp == OpenMpSpinTuning.Decision.Apply,
                OpenMpSpinCount = Environment.GetEnvironmentVariable(OpenMpSpinTuning.SpinCountVariable),
            };
            _initializedWith = _options;
            _report = report;
            return report;
        }
    }

    /// <summary>
    /// The options initialisation runs with: <paramref name="options"/> with each set override variable
    /// (<see cref="EnvironmentOverrides"/>, read through <paramref name="readSwitch"/>) in place of its setting.
    /// </summary>
    internal static FaceNetRuntimeOptions WithEnvironmentOverrides(FaceNetRuntimeOptions options, Func<string, bool?> readSwitch) =>
        options with
        {
            LibStdCxxFix = readSwitch(EnvironmentOverrides.DisableLibStdCxxFix) is bool disable ? !disable : options.LibStdCxxFix,
            MallocTuning = readSwitch(EnvironmentOverrides.MallocTuning) ?? options.MallocTuning,
            OpenMpSpinTuning = readSwitch(EnvironmentOverrides.OpenMpTuning) ?? options.OpenMpSpinTuning,
        };

    /// <summary>
    /// Why <paramref name="requested"/> cannot replace <paramref name="inForce"/>, the options the runtime was initialised
    /// with; null when it may (they differ at most in the logger factory, which is read at each use).
    /// </summary>
    internal static string? ReconfigurationRefusal(FaceNetRuntimeOptions inForce, FaceNetRuntimeOptions requested)
    {
        var changed = new List<string>();
        if (requested.LibStdCxxFix != inForce.LibStdCxxFix) changed.Add(nameof(FaceNetRuntimeOptions.LibStdCxxFix));
        if (requested.MallocTuning != inForce.MallocTuning) changed.Add(nameof(FaceNetRuntimeOptions.MallocTuning));
        if (requested.OpenMpSpinTuning != inForce.OpenMpSpinTuning) changed.Add(nameof(FaceNetRuntimeOptions.OpenMpSpinTuning));
        if (!string.Equals(requested.NativeCacheDirectory, inForce.NativeCacheDirectory, StringComparison.Ordinal))
            changed.Add(nameof(FaceNetRuntimeOptions.NativeCacheDirectory));
        if (changed.Count == 0) return null;
        return $"FaceNetRuntime.Configure was called after the native runtime was initialised, changing {string.Join(", ", changed)}: " +
            "these process-wide settings were applied once when TorchSharp loaded and cannot change in this process. " +
            "Call FaceNetRuntime.Configure before the first use of the library (or of FaceNetRuntime.EnsureInitialized).";
    }
}
