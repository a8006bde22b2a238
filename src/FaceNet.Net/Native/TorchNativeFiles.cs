using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace FaceNet.Net.Native;

/// <summary>
/// Locates TorchSharp's native files the way the three hosting modes lay them out: an app's output
/// folder (<c>runtimes/linux-x64/native</c>), a test host, and the NuGet package cache (notebooks).
/// </summary>
internal static class TorchNativeFiles
{
    public const string LibTorchSharpFileName = "libLibTorchSharp.so";
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
    /// The folder holding libtorch (<c>libtorch.so</c>, <c>libtorch_cpu.so</c>, <c>libc10.so</c>) that TorchSharp itself
    /// would load: found by loading <c>torch_cpu</c> exactly as TorchSharp does, else in the NuGet cache.
    /// </summary>
    public static string? FindLibTorchDirectory()
    {
        if (NativeLibrary.TryLoad("torch_cpu", typeof(torch).Assembly, null, out _))
        {
            var mapped = MappedLibraries.FindByName("libtorch_cpu.so");
            if (mapped is not null) return Path.GetDirectoryName(mapped);
        }
        foreach (var dir in NuGetPackageNativeDirectories("libtorch-cpu-" + Rid))
            if (File.Exists(Path.Combine(dir, "libtorch_cpu.so"))) return dir;
        return null;
    }

    /// <summary>The shipped <c>libLibTorchSharp.so</c>, searched beside libtorch, in the app, and in the NuGet cache.</summary>
    public static string? FindLibTorchSharp(string? libTorchDirectory)
    {
        return CandidateDirectories(libTorchDirectory)
            .Select(d => Path.Combine(d, LibTorchSharpFileName))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The version of the libtorch whose <c>libtorch_cpu.so</c> is at <paramref name="libTorchCpuPath"/>, when its folder
    /// says: a PyTorch install (<c>torch/lib/</c> with <c>torch/version.py</c>) or the NuGet cache
    /// (<c>libtorch-*/&lt;version&gt;/runtimes/&lt;rid&gt;/native/</c>). Null for other layouts (an app's output folder).
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
        return packageDir is not null && packageDir.Name.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase) ? versionDir!.Name : null;
    }

    private static IEnumerable<string> CandidateDirectories(string? libTorchDirectory)
    {
        if (libTorchDirectory is not null) yield return libTorchDirectory;
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
        foreach (var d in NuGetPackageNativeDirectories("torchsharp")) yield return d;
    }

    private static IEnumerable<string> NuGetPackageNativeDirectories(string packageId)
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var packageDir = Path.Combine(root, packageId);
        if (!Directory.Exists(packageDir)) yield break;
        // Prefer the version TorchSharp was built against, then the newest.
        string preferred = packageId == "torchsharp" ? TorchSharpVersion : "2.10.0";
        var versions = Directory.GetDirectories(packageDir)
            .OrderByDescending(d => Path.GetFileName(d) == preferred)
            .ThenByDescending(d => Path.GetFileName(d), StringComparer.Ordinal);
        foreach (var v in versions) yield return Path.Combine(v, "runtimes", Rid, "native");
    }
}
