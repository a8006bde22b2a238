namespace FaceNet.Net.Native;

/// <summary>
/// The folders glibc's dynamic loader searches when asked for a library by bare name (<c>dlopen("libtorch_cpu.so")</c>),
/// in its order, without loading anything: <c>LD_LIBRARY_PATH</c>, then the folders indexed in <c>/etc/ld.so.cache</c>
/// (those named in <c>/etc/ld.so.conf</c> and the files it includes), then the default folders. Stateless, thread-safe.
/// </summary>
internal static class LoaderSearchPath
{
    /// <summary>The default folders of glibc's loader on x86-64 Debian, Ubuntu and Red Hat style systems.</summary>
    public static IReadOnlyList<string> DefaultDirectories { get; } =
        ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/local/lib", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    /// <summary>The folders of <c>LD_LIBRARY_PATH</c>, in order (the user's deliberate choice).</summary>
    public static IReadOnlyList<string> LibraryPathDirectories() =>
        SplitLibraryPath(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));

    /// <summary>The folders of <c>ld.so.conf</c>, then the default ones, each once.</summary>
    public static IReadOnlyList<string> SystemDirectories() =>
        ConfiguredDirectories("/etc/ld.so.conf", depth: 0).Concat(DefaultDirectories).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Splits a <c>LD_LIBRARY_PATH</c> value (colon- or semicolon-separated) into absolute folders; empty and relative
    /// entries are left out (they name the working folder, which is not where a libtorch is looked for here).
    /// </summary>
    public static IReadOnlyList<string> SplitLibraryPath(string? value) =>
        (value ?? "").Split([':', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Path.IsPathRooted)
            .ToList();

    /// <summary>The folders named in the loader configuration file <paramref name="confFile"/> and the files it includes, in order.</summary>
    internal static IEnumerable<string> ConfiguredDirectories(string confFile, int depth = 0)
    {
        if (depth > 4 || !File.Exists(confFile)) yield break;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(confFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > 7 && char.IsWhiteSpace(line[7]))
            {
                foreach (var included in Includes(line[8..].Trim(), Path.GetDirectoryName(confFile)!))
                    foreach (var dir in ConfiguredDirectories(included, depth + 1)) yield return dir;
            }
            else if (Path.IsPathRooted(line))
            {
                yield return line.TrimEnd('/');
            }
        }
    }

    /// <summary>The files an <c>include</c> line names: a path or a glob in its last component (<c>ld.so.conf.d/*.conf</c>).</summary>
    private static IEnumerable<string> Includes(string pattern, string baseDir)
    {
        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDir, pattern);
        var dir = Path.GetDirectoryName(full);
        var name = Path.GetFileName(full);
        if (dir is null || !Directory.Exists(dir)) return [];
        return name.Contains('*') || name.Contains('?')
            ? Directory.GetFiles(dir, name).Order(StringComparer.Ordinal)
            : [full];
    }
}
