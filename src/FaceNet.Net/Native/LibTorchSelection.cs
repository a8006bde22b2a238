using System.Globalization;

namespace FaceNet.Net.Native;

/// <summary>
/// Decides which libtorch this process uses before TorchSharp loads, so that two libtorch builds are never mapped
/// together: a second libtorch's static initialisers register operators with the first one's dispatcher and end the
/// process with SIGSEGV (Debian's <c>python3-torch</c> puts libtorch 1.13 in <c>/lib/x86_64-linux-gnu</c>, where
/// any by-name load of <c>libtorch_cpu.so</c> finds it). Pure: it decides from the facts in a <see cref="LibTorchSearch"/>.
/// </summary>
/// <remarks>
/// <para>The rule, in order:</para>
/// <list type="number">
/// <item>A libtorch already mapped is used if it is not foreign; a foreign one, or two different ones, is refused.</item>
/// <item>The app's own libtorch (its native backend package) is loaded, unless its version is known to be foreign.</item>
/// <item>Else the libtorch a by-name load would find (<c>LD_LIBRARY_PATH</c>, then the system folders) is loaded if it
/// is not foreign: one on <c>LD_LIBRARY_PATH</c> (a PyTorch install, <c>-p:FaceNetLibTorch=external</c>) is trusted
/// unless its version is known to be foreign; one in a system folder only when its version is known and compatible.</item>
/// <item>Else a compatible libtorch from the NuGet cache is loaded (notebooks), by absolute path, which keeps a foreign
/// one on the loader's path from ever being loaded.</item>
/// <item>Else, when a foreign libtorch is all the loader would find, the load is refused with a message naming it and the
/// fixes; when there is no libtorch at all, TorchSharp's own load reports the missing package.</item>
/// </list>
/// <para>Compatible means libtorch <see cref="RequiredMajor"/>.<see cref="MinimumMinor"/> or a later 2.x release
/// (TorchSharp 0.107 is built against 2.10; PyTorch 2.11's libtorch was measured to work, docs/gpu.md); foreign
/// means any other version (1.13 from Debian and Ubuntu's packages).</para>
/// </remarks>
internal static class LibTorchSelection
{
    /// <summary>The libtorch major version TorchSharp 0.107 works with.</summary>
    public const int RequiredMajor = 2;

    /// <summary>The oldest libtorch minor version TorchSharp 0.107 works with (it is built against 2.10).</summary>
    public const int MinimumMinor = 10;

    /// <summary>Decides what to do about libtorch; <paramref name="torchSharpVersion"/> is only for messages.</summary>
    public static LibTorchChoice Decide(LibTorchSearch search, string torchSharpVersion)
    {
        ArgumentNullException.ThrowIfNull(search);
        var expected = Expected(search);

        if (search.Mapped.Count > 0)
        {
            var foreign = search.Mapped.FirstOrDefault(IsForeign);
            if (foreign is not null)
                return Refuse(AlreadyMappedMessage(foreign, expected, search, torchSharpVersion));
            if (search.Mapped.Count > 1)
                return Refuse(TwoMappedMessage(search.Mapped[0], search.Mapped[1], torchSharpVersion));
            return new LibTorchChoice(LibTorchAction.UseMapped, search.Mapped[0], null, null);
        }

        var app = search.AppLocal.FirstOrDefault();
        if (app is not null)
            return IsForeign(app)
                ? Refuse(ForeignInAppMessage(app, torchSharpVersion))
                : new LibTorchChoice(LibTorchAction.Load, app, null, null);

        var visible = search.LoaderVisible.FirstOrDefault();
        if (visible is not null && !IsForeign(visible))
            return new LibTorchChoice(LibTorchAction.Load, visible, null, null);

        var cached = search.PackageCache.FirstOrDefault(c => IsCompatible(c.Version));
        if (cached is not null)
            return new LibTorchChoice(LibTorchAction.Load, cached, visible, null);

        return visible is not null
            ? Refuse(ForeignOnPathMessage(visible, search, torchSharpVersion))
            : new LibTorchChoice(LibTorchAction.NotFound, null, null, null);
    }

    /// <summary>
    /// True when <paramref name="version"/> (<c>2.10.0</c>, <c>2.11.0+cu130</c>, <c>1.13</c>) is
    /// <see cref="RequiredMajor"/>.<see cref="MinimumMinor"/> or a later minor release of that major version.
    /// </summary>
    public static bool IsCompatible(string? version)
    {
        if (version is null) return false;
        var parts = version.Split('.', '+', '-');
        return parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor)
            && major == RequiredMajor && minor >= MinimumMinor;
    }

    /// <summary>
    /// True when <paramref name="candidate"/> must not be loaded: its version is known and not compatible, or it sits
    /// in a system folder without a known compatible version.
    /// </summary>
    public static bool IsForeign(LibTorchCandidate candidate) =>
        candidate.Origin == LibTorchOrigin.SystemPath
            ? !IsCompatible(candidate.Version)
            : candidate.Version is not null && !IsCompatible(candidate.Version);

    /// <summary>The libtorch that would be used if no foreign one were mapped, for messages.</summary>
    private static LibTorchCandidate? Expected(LibTorchSearch search) =>
        search.AppLocal.FirstOrDefault(c => !IsForeign(c))
        ?? search.LoaderVisible.Take(1).FirstOrDefault(c => !IsForeign(c))
        ?? search.PackageCache.FirstOrDefault(c => IsCompatible(c.Version));

    private static LibTorchChoice Refuse(string message) => new(LibTorchAction.Refuse, null, null, message);

    private static string Required => $"libtorch {RequiredMajor}.{MinimumMinor}";

    private static string Fixes =>
        $"Fix: reference the native backend package {TorchNativeFiles.LibTorchPackageId} {TorchNativeFiles.LibTorchPackageVersion} in the app " +
        $"(dotnet add package {TorchNativeFiles.LibTorchPackageId} --version {TorchNativeFiles.LibTorchPackageVersion}; in a notebook " +
        $"#r \"nuget: {TorchNativeFiles.LibTorchPackageId}, {TorchNativeFiles.LibTorchPackageVersion}\"), or remove the other libtorch " +
        $"(Debian and Ubuntu: apt-get remove python3-torch libtorch-dev), or put the lib folder of {Required} (or a later 2.x) first on " +
        "LD_LIBRARY_PATH. See docs/troubleshooting.md.";

    private static string Where(LibTorchCandidate c) => c.Origin switch
    {
        LibTorchOrigin.LibraryPath => "found through LD_LIBRARY_PATH",
        LibTorchOrigin.SystemPath => "in a system library folder",
        LibTorchOrigin.AppLocal => "in the app's folder",
        LibTorchOrigin.PackageCache => "in the NuGet cache",
        _ => "already loaded",
    };

    private static string ForeignOnPathMessage(LibTorchCandidate visible, LibTorchSearch search, string torchSharpVersion) =>
        $"TorchSharp {torchSharpVersion} needs {Required}, but the only libtorch this process would load is {visible.Path} " +
        $"({visible.VersionText}, {Where(visible)}), which would crash the process. No {Required} was found beside the app or in " +
        $"the NuGet cache ({search.PackageCacheDirectory}). {Fixes}";

    private static string AlreadyMappedMessage(LibTorchCandidate foreign, LibTorchCandidate? expected, LibTorchSearch search, string torchSharpVersion) =>
        $"A libtorch that TorchSharp {torchSharpVersion} cannot use is already loaded in this process: {foreign.Path} ({foreign.VersionText}). " +
        $"TorchSharp needs {Required}" +
        (expected is not null
            ? $", which is at {expected.Path}"
            : $" ({TorchNativeFiles.LibTorchPackageId} {TorchNativeFiles.LibTorchPackageVersion}, found neither beside the app nor in the NuGet cache {search.PackageCacheDirectory})") +
        "; loading it beside the other would crash the process. Something loaded the other one before FaceNet.Net initialised: call " +
        $"FaceNetRuntime.EnsureInitialized() before any other use of TorchSharp or libtorch in the process. {Fixes}";

    private static string TwoMappedMessage(LibTorchCandidate first, LibTorchCandidate second, string torchSharpVersion) =>
        $"Two libtorch builds are already loaded in this process: {first.Path} ({first.VersionText}) and {second.Path} " +
        $"({second.VersionText}); TorchSharp {torchSharpVersion} cannot run on both. Call FaceNetRuntime.EnsureInitialized() before " +
        $"any other use of TorchSharp or libtorch in the process, and keep a single libtorch reachable. {Fixes}";

    private static string ForeignInAppMessage(LibTorchCandidate app, string torchSharpVersion) =>
        $"The app's own libtorch {app.Path} is {app.VersionText}, and TorchSharp {torchSharpVersion} needs {Required}. " +
        $"Reference {TorchNativeFiles.LibTorchPackageId} {TorchNativeFiles.LibTorchPackageVersion} (or the TorchSharp-cpu / " +
        $"TorchSharp-cuda package of TorchSharp {torchSharpVersion}) instead.";
}
