using System.Globalization;

namespace FaceNet.Net.IO;

/// <summary>
/// The temporary files the library writes beside a target before renaming them over it
/// (<c>.&lt;target name&gt;.facenet-tmp-&lt;pid&gt;-&lt;random&gt;</c>: galleries, safetensors weights, embeddings files,
/// ROC images). A process killed mid-write leaves its temporary file; the next write to the same target removes it,
/// and tools call <see cref="RemoveStale"/> themselves to tell the user what was removed. Stateless, thread-safe.
/// </summary>
public static class TemporaryFiles
{
    /// <summary>A temporary file whose owner is still running is left alone unless it has not been written for this long.</summary>
    public static TimeSpan StaleAfter { get; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// Removes the stale temporary files of <paramref name="target"/>: only files in the target's folder named with the
    /// library's pattern for that target, and only when the process that wrote one is gone, or it has not been
    /// written for <see cref="StaleAfter"/>. Files of this process are never removed (another thread may be writing).
    /// </summary>
    /// <param name="target">The file a write is about to replace.</param>
    /// <returns>The paths removed (empty when none, or when the folder does not exist).</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> is null or empty.</exception>
    public static IReadOnlyList<string> RemoveStale(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var full = Path.GetFullPath(target);
        var folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder)) return [];
        var prefix = "." + Path.GetFileName(full) + AtomicFile.Marker;
        var removed = new List<string>();
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(folder, prefix + "*").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        foreach (var file in candidates)
        {
            var name = Path.GetFileName(file);
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (!TryParseOwner(name.AsSpan(prefix.Length), out var pid)) continue;
            if (pid == Environment.ProcessId) continue;
            bool stale;
            try { stale = !IsRunning(pid) || DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > StaleAfter; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (!stale) continue;
            try
            {
                File.Delete(file);
                removed.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>Parses <c>&lt;pid&gt;-&lt;12 lowercase hex digits&gt;</c>, the rest of a temporary file's name.</summary>
    internal static bool TryParseOwner(ReadOnlySpan<char> rest, out int pid)
    {
        pid = 0;
        int dash = rest.IndexOf('-');
        if (dash <= 0 || rest.Length - dash - 1 != 12) return false;
        foreach (var c in rest[(dash + 1)..])
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
    }

    /// <summary>Whether a process with this id exists (on Linux: <c>/proc/&lt;pid&gt;</c>).</summary>
    internal static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
