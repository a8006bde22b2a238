using System.Globalization;

namespace FaceNet.Net.IO;

/// <summary>
/// Writes a file atomically: into a temporary file beside the target, flushed to disk, then renamed over it, so a
/// reader sees the old file or the new one and never half of one. The temporary file has a name the library
/// recognises, <c>.&lt;target name&gt;.facenet-tmp-&lt;pid&gt;-&lt;random&gt;</c>; it is deleted when the write fails, and one
/// left by a killed process is removed by the next write to the same target (<see cref="TemporaryFiles.RemoveStale"/>).
/// Stateless, thread-safe; writes of the same target at once each produce a whole file, the last rename wins.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The part of a temporary file's name between the target's name and the owner's process id.</summary>
    public const string Marker = ".facenet-tmp-";

    /// <summary>A new temporary path beside <paramref name="fullTarget"/> (an absolute path), owned by this process.</summary>
    public static string TemporaryPath(string fullTarget)
    {
        var folder = Path.GetDirectoryName(fullTarget)!;
        var random = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
        return Path.Combine(folder, $".{Path.GetFileName(fullTarget)}{Marker}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{random}");
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/> (given the temporary file's stream), after
    /// removing stale temporary files of the same target.
    /// </summary>
    /// <param name="path">The target (relative paths are resolved against the current folder).</param>
    /// <param name="write">Writes the content; the stream is flushed to disk and closed afterwards.</param>
    /// <param name="createFolder">Create the target's folder when missing; otherwise a missing folder is a <see cref="DirectoryNotFoundException"/> naming it.</param>
    /// <exception cref="DirectoryNotFoundException">The folder is missing and <paramref name="createFolder"/> is false.</exception>
    /// <exception cref="IOException">The target is a directory, or the file cannot be written.</exception>
    public static void Write(string path, Action<Stream> write, bool createFolder = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (Directory.Exists(full))
            throw new IOException($"'{path}' is a directory: give a file name.");
        if (createFolder) Directory.CreateDirectory(folder);
        else if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The folder of '{path}' does not exist: create it first.");
        TemporaryFiles.RemoveStale(full);
        var temporary = TemporaryPath(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it is there, ignoring failures (a cleanup, never the error to report).</summary>
    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
