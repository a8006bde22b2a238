using System.Security.Cryptography;

namespace FaceNet.Net.Native;

/// <summary>
/// Writes the patched copy of a native library once per original (keyed by the original's SHA-256)
/// into a per-user cache folder, atomically, and reuses it afterwards.
/// </summary>
internal static class PatchedLibraryCache
{
    /// <summary>The default cache root: <c>$XDG_CACHE_HOME/FaceNet.Net/native</c> or <c>~/.cache/FaceNet.Net/native</c>.</summary>
    public static string DefaultRoot
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var baseDir = !string.IsNullOrEmpty(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseDir, "FaceNet.Net", "native");
        }
    }

    /// <summary>
    /// Returns the path of <paramref name="patched"/> stored under <paramref name="root"/> for
    /// <paramref name="original"/>; writes it (temp file, then rename) unless an identical copy is there.
    /// Falls back to the temp folder when <paramref name="root"/> is not writable.
    /// </summary>
    public static string Store(byte[] original, byte[] patched, string fileName, string root)
    {
        var key = Convert.ToHexString(SHA256.HashData(original))[..16].ToLowerInvariant();
        try
        {
            return StoreIn(Path.Combine(root, key), fileName, patched);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fallback = Path.Combine(Path.GetTempPath(), "FaceNet.Net-" + Environment.UserName, "native", key);
            return StoreIn(fallback, fileName, patched);
        }
    }

    private static string StoreIn(string dir, string fileName, byte[] content)
    {
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, fileName);
        if (File.Exists(target) && File.ReadAllBytes(target).AsSpan().SequenceEqual(content)) return target;
        IO.AtomicFile.Write(target, stream => stream.Write(content));
        return target;
    }
}
