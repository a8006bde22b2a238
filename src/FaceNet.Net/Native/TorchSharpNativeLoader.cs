using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace FaceNet.Net.Native;

/// <summary>
/// Loads TorchSharp's native side so that it cannot crash the process, on Linux x64:
/// <list type="number">
/// <item>chooses the libtorch to use (<see cref="LibTorchSelection"/>) from absolute paths only and loads its libraries
/// by those paths, so that TorchSharp's own by-name loads (<c>torch_cpu</c>, resolved by soname) find it and never a
/// foreign libtorch on the system's library path; refuses, with a <see cref="NativeRuntimeException"/>, when only a
/// foreign one is reachable;</item>
/// <item>on hosts whose libstdc++ is older than the one TorchSharp was built against (Debian 12, Ubuntu 22.04), loads a
/// copy of <c>libLibTorchSharp.so</c> with the harmless missing versions marked weak; TorchSharp's own load then finds
/// that copy already loaded (same soname).</item>
/// </list>
/// Elsewhere TorchSharp loads as shipped. Called once, under <see cref="FaceNetRuntime"/>'s lock.
/// </summary>
internal static class TorchSharpNativeLoader
{
    /// <param name="logger">Where the one-time lines go.</param>
    /// <param name="libStdCxxFix">False to load <c>libLibTorchSharp.so</c> as shipped, whatever the host's libstdc++.</param>
    /// <param name="cacheRoot">The folder for the patched copy.</param>
    public static NativeRuntimeReport Load(ILogger logger, bool libStdCxxFix, string cacheRoot)
    {
        var report = new NativeRuntimeReport { TorchSharpVersion = TorchNativeFiles.TorchSharpVersion };
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return Finish(report with { Note = "not linux-x64: TorchSharp loads as shipped" });

        var choice = LibTorchSelection.Decide(TorchNativeFiles.Search(), report.TorchSharpVersion);
        if (choice.Action == LibTorchAction.Refuse) throw new NativeRuntimeException(choice.Refusal!);
        var libTorchDir = choice.Library is null ? null : Path.GetDirectoryName(choice.Library.Path);
        if (choice.Action == LibTorchAction.Load)
        {
            LoadLibTorch(libTorchDir!);
            if (choice.Shadowed is not null)
                logger.LogInformation(
                    "FaceNet.Net loaded libtorch {Version} from {Path} by absolute path; the libtorch at {Other} ({OtherVersion}) on the " +
                    "system's library path stays unloaded",
                    choice.Library!.Version, choice.Library.Path, choice.Shadowed.Path, choice.Shadowed.VersionText);
        }

        var alreadyLoaded = MappedLibraries.FindByName(TorchNativeFiles.LibTorchSharpFileName);
        if (alreadyLoaded is not null)
            return Finish(report with { LoadedLibraryPath = alreadyLoaded, Note = "TorchSharp's native library was already loaded" });
        if (!libStdCxxFix)
            return Finish(report with { Note = "libstdc++ fix turned off: TorchSharp's native library loads as shipped" });

        var original = TorchNativeFiles.FindLibTorchSharp(libTorchDir);
        if (libTorchDir is null || original is null)
            return Finish(report with { Note = "libtorch or libLibTorchSharp.so not found beside the app or in the NuGet cache; TorchSharp searches itself" });
        report = report with { OriginalLibraryPath = original };
        var hostLib = MappedLibraries.FindLibStdCxx();
        if (hostLib is null)
            return Finish(report with { Note = "no libstdc++ is mapped in this process; nothing to compare" });
        report = report with { HostLibStdCxxPath = hostLib };

        var originalBytes = File.ReadAllBytes(original);
        var decision = LibStdCxxCompatibility.Decide(ElfImage.Parse(originalBytes, original), ElfImage.Read(hostLib).VersionDefinitions);
        switch (decision.Action)
        {
            case CompatibilityAction.NotNeeded:
                return Finish(report with { Note = $"{hostLib} defines every version {Path.GetFileName(original)} needs" });
            case CompatibilityAction.Unfixable:
                throw new NativeRuntimeException(
                    $"TorchSharp {report.TorchSharpVersion}'s native library {original} needs {string.Join(", ", decision.MissingVersions)} " +
                    $"from libstdc++, which this system's {hostLib} does not define. Install a libstdc++ from GCC 13 or newer " +
                    "(for example a newer distribution release), or use a TorchSharp build made for this system.");
        }

        var patched = SymbolVersionPatcher.MarkWeak(originalBytes, LibStdCxxCompatibility.LibStdCxx, decision.MissingVersions);
        var patchedPath = PatchedLibraryCache.Store(originalBytes, patched, TorchNativeFiles.LibTorchSharpFileName, cacheRoot);
        try
        {
            NativeLibrary.Load(patchedPath);
        }
        catch (DllNotFoundException e)
        {
            throw new NativeRuntimeException($"The patched TorchSharp native library {patchedPath} did not load: {e.Message}", e);
        }

        logger.LogInformation(
            "FaceNet.Net: this system's libstdc++ ({HostLib}) lacks {Versions}, which TorchSharp {TorchSharpVersion} requires but never calls; " +
            "loaded a copy of libLibTorchSharp.so with that requirement marked weak: {PatchedPath}",
            hostLib, string.Join(", ", decision.MissingVersions), report.TorchSharpVersion, patchedPath);
        return Finish(report with
        {
            CompatibilityFixApplied = true,
            WeakenedVersions = decision.MissingVersions,
            LoadedLibraryPath = patchedPath,
            Note = $"marked {string.Join(", ", decision.MissingVersions)} weak",
        });
    }

    /// <summary>
    /// Loads, by absolute path, libtorch's libraries that TorchSharp and the patched copy load by name
    /// (<c>libc10.so</c>, <c>libtorch_cpu.so</c>, <c>libtorch.so</c>), dependencies first: once mapped, their sonames
    /// satisfy every later by-name load, so the loader never searches its path (where a foreign libtorch may be) for them.
    /// </summary>
    private static void LoadLibTorch(string libTorchDir)
    {
        foreach (var needed in new[] { "libc10.so", TorchNativeFiles.LibTorchCpuFileName, "libtorch.so" })
        {
            var path = Path.Combine(libTorchDir, needed);
            if (!File.Exists(path)) continue;
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new NativeRuntimeException($"libtorch library {path} did not load: {e.Message}", e);
            }
        }
    }

    /// <summary>Lets TorchSharp initialise its CPU backend and records the libtorch and TorchSharp native files in use.</summary>
    private static NativeRuntimeReport Finish(NativeRuntimeReport report)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or DllNotFoundException or TypeInitializationException)
        {
            throw new NativeRuntimeException(
                "TorchSharp's native backend did not load. Reference a native backend package in the app " +
                $"({TorchNativeFiles.LibTorchPackageId} {TorchNativeFiles.LibTorchPackageVersion}, libtorch-cpu-win-x64, or TorchSharp-cuda-linux / TorchSharp-cuda-windows for CUDA). " +
                $"({report.Note}). Cause: {FirstLine(e.Message)}", e);
        }
        var libTorch = MappedLibraries.Find(TorchNativeFiles.IsLibTorchCpu).FirstOrDefault();
        return report with
        {
            LibTorchPath = libTorch,
            LibTorchVersion = (libTorch is null ? null : TorchNativeFiles.LibTorchVersionOf(libTorch)) ?? torch.__version__,
            TorchSharpNativePath = MappedLibraries.FindByName(TorchNativeFiles.LibTorchSharpFileName),
        };
    }

    private static string FirstLine(string s)
    {
        var trimmed = s.TrimStart();
        int nl = trimmed.IndexOf('\n');
        return nl < 0 ? trimmed : trimmed[..nl].TrimEnd();
    }
}
