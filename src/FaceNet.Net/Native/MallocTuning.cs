using System.Runtime.InteropServices;
using FaceNet.Net.Configuration;
using Microsoft.Extensions.Logging;

namespace FaceNet.Net.Native;

/// <summary>
/// Keeps glibc's malloc from handing libtorch's large activation buffers back to the kernel after every forward
/// pass. Linux with glibc only; once per process, from <see cref="FaceNetRuntime.EnsureInitialized"/>.
/// </summary>
/// <remarks>
/// <para>Why: libtorch allocates each activation with malloc. With glibc's defaults, buffers above the dynamic mmap
/// threshold are mapped and unmapped on every call, and free memory at the top of the heap is trimmed, so a
/// forward pass can fault in and zero hundreds of megabytes of fresh pages each time. Whether that happens depends
/// on the process's allocation history, and when it happens a pass can take about twice as long (measurements in
/// docs/performance.md).</para>
/// <para>What: <c>mallopt(M_MMAP_THRESHOLD, 32 MiB)</c> (glibc's largest; buffers up to it come from the heap and
/// are reused) and <c>mallopt(M_TRIM_THRESHOLD, 512 MiB)</c> (free memory at the top of the heap is kept up to
/// that size). These are process-wide: the process may keep up to 512 MiB of freed heap memory for reuse instead
/// of returning it. <see cref="FaceNetRuntimeOptions.MallocTuning"/> (override: <see cref="EnvironmentOverrides.MallocTuning"/>) turns it off. Thread-safe.</para>
/// </remarks>
internal static class MallocTuning
{
    /// <summary>The mmap threshold set (glibc's maximum on 64-bit).</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;

    /// <summary>The trim threshold set.</summary>
    public const int TrimThreshold = 512 * 1024 * 1024;

    private const int MTrimThreshold = -1; // glibc malloc.h
    private const int MMmapThreshold = -3;

    /// <summary>Applies the settings when <paramref name="enabled"/> and on glibc; true when they were applied.</summary>
    public static bool Apply(bool enabled, ILogger logger)
    {
        if (!enabled) return false;
        if (!OperatingSystem.IsLinux()) return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)) return false; // not glibc (musl names it differently)
        try
        {
            if (!NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
                || !NativeLibrary.TryGetExport(libc, "mallopt", out var mallopt)) return false;
            bool applied;
            unsafe
            {
                var set = (delegate* unmanaged<int, int, int>)mallopt;
                applied = set(MMmapThreshold, MmapThreshold) == 1 & set(MTrimThreshold, TrimThreshold) == 1;
            }
            if (applied)
                logger.LogInformation("FaceNet.Net set glibc malloc's mmap threshold to {Mmap} MiB and trim threshold to {Trim} MiB so libtorch reuses its activation buffers ({Variable}=0 turns this off)",
                    MmapThreshold >> 20, TrimThreshold >> 20, EnvironmentOverrides.MallocTuning);
            return applied;
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    /// <summary>
    /// Returns the heap's free memory to the system (glibc <c>malloc_trim(0)</c>), once the tuning is on: with the raised
    /// trim threshold glibc keeps up to 512 MiB of freed heap for reuse, which a model that is disposed no longer needs.
    /// Called when a model is disposed; does nothing where the tuning was not applied. Thread-safe.
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        if (FaceNetRuntime.Report is not { MallocTuningApplied: true }) return;
        Trim.Value?.Invoke();
    }

    private static readonly Lazy<Action?> Trim = new(() =>
    {
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim)) return null;
        return () =>
        {
            unsafe
            {
                ((delegate* unmanaged<nuint, int>)trim)(0);
            }
        };
    });
}
