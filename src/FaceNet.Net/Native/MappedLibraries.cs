using System.Runtime.InteropServices;

namespace FaceNet.Net.Native;

/// <summary>Reads which shared objects this process has mapped (Linux <c>/proc/self/maps</c>).</summary>
internal static class MappedLibraries
{
    /// <summary>Distinct paths of mapped files whose file name satisfies <paramref name="match"/>.</summary>
    public static IEnumerable<string> Find(Func<string, bool> match)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var file = line[slash..].Trim();
            if (match(Path.GetFileName(file)) && seen.Add(file) && File.Exists(file)) yield return file;
        }
    }

    /// <summary>The first mapped file named exactly <paramref name="fileName"/>, or null.</summary>
    public static string? FindByName(string fileName) => Find(n => n == fileName).FirstOrDefault();

    /// <summary>The path of the libstdc++ this process uses, loading it first if needed; null if none is found.</summary>
    public static string? FindLibStdCxx()
    {
        static bool IsLibStdCxx(string name) => name.StartsWith("libstdc++.so", StringComparison.Ordinal);
        var path = Find(IsLibStdCxx).FirstOrDefault();
        if (path is not null) return path;
        NativeLibrary.TryLoad(LibStdCxxCompatibility.LibStdCxx, out _);
        return Find(IsLibStdCxx).FirstOrDefault();
    }
}
