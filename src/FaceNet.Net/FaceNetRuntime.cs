using FaceNet.Net.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net;

/// <summary>
/// One-time native initialisation of TorchSharp for the whole process. Every library entry point
/// calls <see cref="EnsureInitialized"/> before its first tensor, so callers normally never need to;
/// call it yourself before using TorchSharp directly in the same process.
/// </summary>
/// <remarks>
/// <para>On Linux x64 hosts whose libstdc++ lacks <c>GLIBCXX_3.4.32</c> (Debian 12, Ubuntu 22.04), TorchSharp
/// 0.107.0 as shipped fails to load. The first call loads a patched copy (cached under
/// <c>~/.cache/FaceNet.Net/native</c>) and logs one Information line through <see cref="LoggerFactory"/>;
/// see <see cref="NativeRuntimeReport"/> for what happened. Set the environment variable
/// <see cref="DisableFixVariable"/> to <c>1</c> to turn this off.</para>
/// <para>On Linux with glibc the first call also fixes malloc's mmap and trim thresholds so libtorch reuses its
/// large activation buffers instead of faulting in fresh pages on every forward pass (process-wide; set
/// <c>FACENET_MALLOC_TUNING=0</c> to turn it off; see docs/performance.md), and, before libtorch loads, sets
/// <c>GOMP_SPINCOUNT=10000</c> unless the user chose OpenMP's waiting, so libtorch's idle OpenMP threads stop
/// spinning soon after each operation instead of slowing the process's other parallel work
/// (<c>FACENET_OMP_TUNING=0</c> turns it off).</para>
/// <para>Thread-safe: concurrent first calls initialise once; later calls return the same report.
/// A failed initialisation is not cached, so a later call retries.</para>
/// </remarks>
public static class FaceNetRuntime
{
    /// <summary>Environment variable that disables the libstdc++ compatibility fix when set to <c>1</c>, <c>true</c> or <c>off</c>.</summary>
    public const string DisableFixVariable = "FACENET_DISABLE_LIBSTDCXX_FIX";

    private static readonly object Gate = new();
    private static volatile NativeRuntimeReport? _report;
    private static ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;

    /// <summary>
    /// Where the library's log lines go (default: nowhere). Set it before the first call into the
    /// library to see the one-time native initialisation message.
    /// </summary>
    public static ILoggerFactory LoggerFactory
    {
        get => Volatile.Read(ref _loggerFactory);
        set => Volatile.Write(ref _loggerFactory, value ?? NullLoggerFactory.Instance);
    }

    /// <summary>The report of the initialisation, or null before it has run.</summary>
    public static NativeRuntimeReport? Report => _report;

    /// <summary>The library's own version (from its assembly).</summary>
    public static string Version =>
        (typeof(FaceNetRuntime).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "unknown").Split('+')[0];

    /// <summary>Makes TorchSharp's native backend usable in this process, once.</summary>
    /// <returns>What was found and done.</returns>
    /// <exception cref="NativeRuntimeException">The native backend cannot be loaded; the message says what to install.</exception>
    public static NativeRuntimeReport EnsureInitialized()
    {
        var report = _report;
        if (report is not null) return report;
        lock (Gate)
        {
            report = _report;
            if (report is not null) return report;
            var logger = LoggerFactory.CreateLogger("FaceNet.Net.Native");
            OpenMpSpinTuning.Apply(logger); // before libtorch loads libgomp, which reads it once
            report = TorchSharpNativeLoader.Load(logger, PatchedLibraryCache.DefaultRoot);
            MallocTuning.Apply(logger);
            report = report with { OpenMpSpinCount = Environment.GetEnvironmentVariable(OpenMpSpinTuning.SpinCountVariable) };
            _report = report;
            return report;
        }
    }
}
