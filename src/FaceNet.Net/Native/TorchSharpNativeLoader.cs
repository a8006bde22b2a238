using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace FaceNet.Net.Native;

/// <summary>
/// Makes TorchSharp's native library loadable on hosts whose libstdc++ is older than the one it was
/// built against (Debian 12, Ubuntu 22.04): it loads libtorch from the folder TorchSharp would use,
/// then a copy of <c>libLibTorchSharp.so</c> with the harmless missing versions marked weak. TorchSharp's
/// own load then finds that copy already loaded (same soname). Does nothing where nothing is missing.
/// </summary>
internal static class TorchSharpNativeLoader
{
    public static NativeRuntimeReport Load(ILogger logger, string cacheRoot)
    {
        string torchSharpVersion = TorchNativeFiles.TorchSharpVersion;
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return Finish(NoFix("not linux-x64: TorchSharp loads as shipped"));

        if (Environment.GetEnvironmentVariable(FaceNetRuntime.DisableFixVariable) is "1" or "true" or "off")
            return Finish(NoFix($"{FaceNetRuntime.DisableFixVariable} is set: fix disabled"));

        var alreadyLoaded = MappedLibraries.FindByName(TorchNativeFiles.LibTorchSharpFileName);
        if (alreadyLoaded is not null)
            return Finish(NoFix("TorchSharp's native library was already loaded", loaded: alreadyLoaded));

        var libTorchDir = TorchNativeFiles.FindLibTorchDirectory();
        var original = TorchNativeFiles.FindLibTorchSharp(libTorchDir);
        var hostLib = MappedLibraries.FindLibStdCxx();
        if (libTorchDir is null || original is null)
            return Finish(NoFix("libtorch or libLibTorchSharp.so not found beside the app or in the NuGet cache; TorchSharp searches itself"));
        if (hostLib is null)
            return Finish(NoFix("no libstdc++ is mapped in this process; nothing to compare", original: original));

        var originalBytes = File.ReadAllBytes(original);
        var decision = LibStdCxxCompatibility.Decide(ElfImage.Parse(originalBytes, original), ElfImage.Read(hostLib).VersionDefinitions);
        switch (decision.Action)
        {
            case CompatibilityAction.NotNeeded:
                return Finish(NoFix($"{hostLib} defines every version {Path.GetFileName(original)} needs", original: original, host: hostLib));
            case CompatibilityAction.Unfixable:
                throw new NativeRuntimeException(
                    $"TorchSharp {torchSharpVersion}'s native library {original} needs {string.Join(", ", decision.MissingVersions)} " +
                    $"from libstdc++, which this system's {hostLib} does not define. Install a libstdc++ from GCC 13 or newer " +
                    "(for example a newer distribution release), or use a TorchSharp build made for this system.");
        }

        var patched = SymbolVersionPatcher.MarkWeak(originalBytes, LibStdCxxCompatibility.LibStdCxx, decision.MissingVersions);
        var patchedPath = PatchedLibraryCache.Store(originalBytes, patched, TorchNativeFiles.LibTorchSharpFileName, cacheRoot);
        LoadDependencies(libTorchDir);
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
            hostLib, string.Join(", ", decision.MissingVersions), torchSharpVersion, patchedPath);
        return Finish(new NativeRuntimeReport(true, decision.MissingVersions, hostLib, original, patchedPath, torchSharpVersion, "",
            $"marked {string.Join(", ", decision.MissingVersions)} weak"));

        NativeRuntimeReport NoFix(string note, string? original = null, string? host = null, string? loaded = null) =>
            new(false, Array.Empty<string>(), host, original, loaded, torchSharpVersion, "", note);
    }

    /// <summary>
    /// Loads, by absolute path, each library the patched copy needs that lives in the libtorch folder
    /// (<c>libtorch.so</c>, <c>libc10.so</c>, <c>libtorch_cpu.so</c>): the copy sits elsewhere, so its
    /// <c>$ORIGIN</c> run path cannot find them, but already-loaded sonames satisfy it.
    /// </summary>
    private static void LoadDependencies(string libTorchDir)
    {
        foreach (var needed in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
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

    /// <summary>Lets TorchSharp initialise its CPU backend and records the libtorch version it reports.</summary>
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
                "(libtorch-cpu-linux-x64 2.10.0, libtorch-cpu-win-x64, or TorchSharp-cuda-linux / TorchSharp-cuda-windows for CUDA). " +
                $"({report.Note}). Cause: {FirstLine(e.Message)}", e);
        }
        var libTorch = MappedLibraries.FindByName("libtorch_cpu.so");
        return report with { LibTorchVersion = (libTorch is null ? null : TorchNativeFiles.LibTorchVersionOf(libTorch)) ?? torch.__version__ };
    }

    private static string FirstLine(string s)
    {
        var trimmed = s.TrimStart();
        int nl = trimmed.IndexOf('\n');
        return nl < 0 ? trimmed : trimmed[..nl].TrimEnd();
    }
}
