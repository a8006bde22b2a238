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
