using Microsoft.Extensions.Logging;

namespace FaceNet.Net;

/// <summary>
/// Process-wide choices of FaceNet.Net, given once to <see cref="FaceNetRuntime.Configure"/> before the first call into
/// the library. The defaults suit almost every app. Each native setting has a documented environment-variable override
/// (docs/configuration.md), which wins over the value here. Immutable; safe to share between threads.
/// </summary>
public sealed record FaceNetRuntimeOptions
{
    /// <summary>
    /// Where the library's log lines go (null: nowhere). Unlike the other settings it may change after initialisation;
    /// set it before the first call to see the one-time native initialisation lines.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// On Linux x64 hosts whose libstdc++ lacks <c>GLIBCXX_3.4.32</c> (Debian 12, Ubuntu 22.04), load a copy of TorchSharp's
    /// native library with that never-called requirement marked weak (default true). False loads it as shipped, which
    /// fails on such hosts. Its override variable (docs/configuration.md) turns it off with <c>1</c>, on with <c>0</c>.
    /// </summary>
    public bool LibStdCxxFix { get; init; } = true;

    /// <summary>
    /// On Linux with glibc, raise malloc's mmap threshold to 32 MiB and trim threshold to 512 MiB so libtorch reuses its
    /// activation buffers instead of faulting in fresh pages on every forward pass (default false: it changes the whole
    /// host process, so a library user opts in; the <c>facenet</c> tool and the HTTP service turn it on, where it was
    /// measured to pay, docs/performance.md). Process-wide: the process may keep up to 512 MiB of freed heap for reuse.
    /// Its override variable (docs/configuration.md) takes <c>0</c> or <c>1</c>.
    /// </summary>
    public bool MallocTuning { get; init; }

    /// <summary>
    /// On Linux, before libtorch loads, set <c>GOMP_SPINCOUNT=10000</c> unless <c>GOMP_SPINCOUNT</c> or
    /// <c>OMP_WAIT_POLICY</c> is set, so libtorch's idle OpenMP threads stop busy-waiting soon after each operation
    /// (default false: it changes the environment of the whole host process, so a library user opts in; the
    /// <c>facenet</c> tool and the HTTP service turn it on). Its override variable (docs/configuration.md) takes <c>0</c> or <c>1</c>.
    /// </summary>
    public bool OpenMpSpinTuning { get; init; }

    /// <summary>
    /// These options with both process-wide tunings on (<see cref="MallocTuning"/> and <see cref="OpenMpSpinTuning"/>):
    /// what an application that owns its process (a command-line tool, a service) opts into.
    /// </summary>
    public FaceNetRuntimeOptions WithProcessTuning() => this with { MallocTuning = true, OpenMpSpinTuning = true };

    /// <summary>
    /// The folder for the patched copy of TorchSharp's native library (null: <c>$XDG_CACHE_HOME/FaceNet.Net/native</c>,
    /// else <c>~/.cache/FaceNet.Net/native</c>). It can be deleted at any time; it is rebuilt on the next start.
    /// </summary>
    public string? NativeCacheDirectory { get; init; }
}
