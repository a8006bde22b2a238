namespace FaceNet.Net.Native;

/// <summary>Where a libtorch build was found; it decides how much its version must be known before it is trusted.</summary>
internal enum LibTorchOrigin
{
    /// <summary>Already mapped in this process, outside the system folders (loaded by someone before initialisation).</summary>
    AlreadyMapped,

    /// <summary>The app's own folders (its native backend package): trusted unless its version is known to be wrong.</summary>
    AppLocal,

    /// <summary>A folder of <c>LD_LIBRARY_PATH</c>, which the user put there (a PyTorch install): trusted unless its version is known to be wrong.</summary>
    LibraryPath,

    /// <summary>A system library folder (<c>/etc/ld.so.conf</c> or the loader's defaults): trusted only when its version is known and right.</summary>
    SystemPath,

    /// <summary>The NuGet package cache (<c>libtorch-cpu-linux-x64/&lt;version&gt;</c>): used only when its version is right.</summary>
    PackageCache,
}
