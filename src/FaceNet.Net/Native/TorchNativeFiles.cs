using System.Reflection;
using System.Text.RegularExpressions;
using TorchSharp;

namespace FaceNet.Net.Native;

/// <summary>
/// Locates TorchSharp's native files by absolute paths, never by asking the dynamic loader for a bare name (which
/// would map whatever libtorch the system's library path holds): the app's own folders (<c>runtimes/linux-x64/native</c>
/// and the runtime's native search directories), the folders a bare <c>dlopen</c> would search, and the NuGet package
/// cache (notebooks). Stateless; reads the file system and the process environment afresh on each call.
/// </summary>
internal static partial class TorchNativeFiles
{
    public const string LibTorchSharpFileName = "libLibTorchSharp.so";

    /// <summary>The libtorch library whose location stands for the whole libtorch folder.</summary>
    public const string LibTorchCpuFileName = "libtorch_cpu.so";

    /// <summary>The libtorch CPU package for this TorchSharp line, as the app references it.</summary>
    public const string LibTorchPackageId = "libtorch-cpu-" + Rid;

    /// <summary>
    /// The libtorch package version TorchSharp 0.107 is built against. A test checks it against
    /// <c>torch.__version__</c>, so a TorchSharp upgrade that forgets it fails there.
    /// </summary>
    public const string LibTorchPackageVersion = "2.10.0";

    private const string Rid = "linux-x64";

    /// <summary>TorchSharp's assembly version as NuGet spells it (e.g. <c>0.107.0</c>).</summary>
    public static string TorchSharpVersion
    {
        get
        {
            var asm = typeof(torch).Assembly;
            var info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return (info ?? asm.GetName().Version?.ToString() ?? "unknown").Split('+')[0];
        }
    }

    /// <summary>
    /// The libtorch builds that can be mapped in this process, by where they were found; see
    /// <see cref="LibTorchSelection"/> for how one is chosen. Reads folders only: nothing is loaded.
    /// </summary>
    public static LibTorchSearch Search()
    {
        var systemDirs = LoaderSearchPath.SystemDirectories();
        var mapped = MappedLibraries.Find(IsLibTorchCpu)
            .Select(p => Candidate(p, IsIn(p, systemDirs) ? LibTorchOrigin.SystemPath : LibTorchOrigin.AlreadyMapped))
            .ToList();
        var appLocal = Existing(AppDirectories(), LibTorchOrigin.AppLocal);
        var loaderVisible = Existing(LoaderSearchPath.LibraryPathDirectories(), LibTorchOrigin.LibraryPath)
            .Concat(Existing(systemDirs, LibTorchOrigin.SystemPath))
            .ToList();
        var cache = Existing(NuGetPackageNativeDirectories(LibTorchPackageId), LibTorchOrigin.PackageCache);
        return new LibTorchSearch(mapped, appLocal, loaderVisible, cache, NuGetPackageDirectory(LibTorchPackageId));

        static List<LibTorchCandidate> Existing(IEnumerable<string> dirs, LibTorchOrigin origin) =>
            dirs.Select(d => Path.Combine(d, LibTorchCpuFileName))
                .Where(File.Exists)
                .Select(p => Candidate(p, origin))
                .DistinctBy(c => c.Path, StringComparer.Ordinal)
                .ToList();

        static LibTorchCandidate Candidate(string path, LibTorchOrigin origin) => new(path, origin, LibTorchVersionOf(path));

        static bool IsIn(string path, IEnumerable<string> dirs)
        {
            var dir = Path.GetDirectoryName(path);
            return dirs.Any(d => string.Equals(Path.GetFullPath(d).TrimEnd('/'), dir, StringComparison.Ordinal));
        }
    }

    /// <summary>True for <c>libtorch_cpu.so</c> and versioned names such as <c>libtorch_cpu.so.1.13</c>.</summary>
    public static bool IsLibTorchCpu(string fileName) =>
        fileName == LibTorchCpuFileName || fileName.StartsWith(LibTorchCpuFileName + ".", StringComparison.Ordinal);

    /// <summary>The shipped <c>libLibTorchSharp.so</c>, searched beside libtorch, in the app, and in the NuGet cache.</summary>
    public static string? FindLibTorchSharp(string? libTorchDirectory)
    {
        var dirs = AppDirectories().Concat(NuGetPackageNativeDirectories("torchsharp"));
        if (libTorchDirectory is not null) dirs = dirs.Prepend(libTorchDirectory);
        return dirs.Select(d => Path.Combine(d, LibTorchSharpFileName)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The version of the libtorch whose <c>libtorch_cpu.so</c> is at <paramref name="libTorchCpuPath"/>, when its
    /// layout says: a PyTorch install (<c>torch/lib/</c> with <c>torch/version.py</c>), the NuGet cache
    /// (<c>libtorch-*/&lt;version&gt;/runtimes/&lt;rid&gt;/native/</c>), a libtorch archive (<c>libtorch/lib/</c> with
    /// <c>libtorch/build-version</c>), or a versioned file name after following links (a distribution's
    /// <c>libtorch_cpu.so.1.13</c>). Null for other layouts (an app's output folder).
    /// </summary>
    public static string? LibTorchVersionOf(string libTorchCpuPath)
    {
        var native = Path.GetDirectoryName(Path.GetFullPath(libTorchCpuPath));
        if (native is null) return null;
        var versionPy = Path.Combine(native, "..", "version.py");
        if (File.Exists(versionPy))
        {
            foreach (var line in File.ReadLines(versionPy))
            {
                var trimmed = line.Trim();
                if (!trimmed.StartsWith("__version__", StringComparison.Ordinal)) continue;
                int eq = trimmed.IndexOf('=');
                var value = eq < 0 ? "" : trimmed[(eq + 1)..].Trim().Trim('\'', '"');
                return value.Length > 0 ? value : null;
            }
            return null;
        }
        var versionDir = Directory.GetParent(native)?.Parent?.Parent; // native -> <rid> -> runtimes -> <version>
        var packageDir = versionDir?.Parent;
        if (packageDir is not null && packageDir.Name.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase)) return versionDir!.Name;
        var buildVersion = Path.Combine(native, "..", "build-version");
        if (File.Exists(buildVersion))
        {
            var value = File.ReadLines(buildVersion).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(value) ? null : value;
        }
        return VersionFromFileName(libTorchCpuPath);
    }

    /// <summary>
    /// The version in the name of the file <paramref name="path"/> finally points to (<c>libtorch_cpu.so.1.13</c> gives
    /// <c>1.13</c>), or null when the name carries none.
    /// </summary>
    private static string? VersionFromFileName(string path)
    {
        string target;
        try
        {
            target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            target = path;
        }
        var match = VersionedSoName().Match(Path.GetFileName(target));
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^libtorch_cpu\.so\.(\d+(?:\.\d+)+)$")]
    private static partial Regex VersionedSoName();

    /// <summary>
    /// The folders the runtime searches for an app's own native libraries, then the TorchSharp assembly's and the app's
    /// folders with their <c>runtimes/linux-x64/native</c>: where an app's, a test host's or a published app's native
    /// backend package puts libtorch.
    /// </summary>
    private static IEnumerable<string> AppDirectories()
    {
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            foreach (var d in searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)) yield return d;
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            yield return torchDir;
            yield return Path.Combine(torchDir, "runtimes", Rid, "native");
            // NuGet cache layout: torchsharp/<v>/lib/net8.0/TorchSharp.dll next to torchsharp/<v>/runtimes/<rid>/native.
            yield return Path.GetFullPath(Path.Combine(torchDir, "..", "..", "runtimes", Rid, "native"));
        }
        yield return AppContext.BaseDirectory;
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", Rid, "native");
    }

    /// <summary>
    /// <c>&lt;packages&gt;/&lt;id&gt;/&lt;version&gt;/runtimes/linux-x64/native</c> for each cached version, the preferred
    /// one (TorchSharp's own version, or <see cref="LibTorchPackageVersion"/>) first, then the newest.
    /// </summary>
    private static IEnumerable<string> NuGetPackageNativeDirectories(string packageId)
    {
        var packageDir = NuGetPackageDirectory(packageId);
        if (!Directory.Exists(packageDir)) yield break;
        string preferred = packageId == "torchsharp" ? TorchSharpVersion : LibTorchPackageVersion;
        var versions = Directory.GetDirectories(packageDir)
            .OrderByDescending(d => Path.GetFileName(d) == preferred)
            .ThenByDescending(d => Path.GetFileName(d), StringComparer.Ordinal);
        foreach (var v in versions) yield return Path.Combine(v, "runtimes", Rid, "native");
    }

    /// <summary>
    /// The package's folder in the NuGet cache: beside the TorchSharp package this process loaded TorchSharp from
    /// (a notebook's cache), else in <c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>.
    /// </summary>
    private static string NuGetPackageDirectory(string packageId)
    {
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            // <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll
            var packages = Path.GetFullPath(Path.Combine(torchDir, "..", "..", "..", ".."));
            var beside = Path.Combine(packages, packageId);
            if (Path.GetFileName(Path.GetFullPath(Path.Combine(torchDir, "..", "..", ".."))) == "torchsharp" && Directory.Exists(beside))
                return beside;
        }
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, packageId);
    }
}
