namespace FaceNet.Net.Native;

/// <summary>What <see cref="TorchNativeFiles.Search"/> found: the facts <see cref="LibTorchSelection.Decide"/> decides from.</summary>
/// <param name="Mapped">libtorch builds already mapped in this process.</param>
/// <param name="AppLocal">libtorch builds in the app's own folders, in the runtime's search order.</param>
/// <param name="LoaderVisible">libtorch builds a bare <c>dlopen("libtorch_cpu.so")</c> would find, in the loader's order.</param>
/// <param name="PackageCache">libtorch builds in the NuGet cache, the preferred version first.</param>
/// <param name="PackageCacheDirectory">The cache folder searched for the libtorch package (for messages).</param>
internal sealed record LibTorchSearch(
    IReadOnlyList<LibTorchCandidate> Mapped,
    IReadOnlyList<LibTorchCandidate> AppLocal,
    IReadOnlyList<LibTorchCandidate> LoaderVisible,
    IReadOnlyList<LibTorchCandidate> PackageCache,
    string PackageCacheDirectory);
