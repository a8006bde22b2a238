using FaceNet.Net.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Native;

public class RuntimeInitializationTests
{
    [Test]
    public void Initialisation_makes_TorchSharp_compute_a_convolution()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        Assert.That(report.LibTorchVersion, Does.StartWith("2."));

        // 1x1x3x3 input, 1x1x2x2 kernel: each output is the sum of a 2x2 window.
        using var input = arange(9, dtype: float32).reshape(1, 1, 3, 3);
        using var kernel = ones(1, 1, 2, 2);
        using var output = nn.functional.conv2d(input, kernel);
        var values = output.data<float>().ToArray();
        Assert.That(values, Is.EqualTo(new float[] { 0 + 1 + 3 + 4, 1 + 2 + 4 + 5, 3 + 4 + 6 + 7, 4 + 5 + 7 + 8 }));
    }

    [Test]
    public void Initialisation_is_idempotent_and_reports_what_it_did()
    {
        var first = FaceNetRuntime.EnsureInitialized();
        var second = FaceNetRuntime.EnsureInitialized();
        Assert.That(second, Is.SameAs(first));
        Assert.That(FaceNetRuntime.Report, Is.SameAs(first));
        if (first.CompatibilityFixApplied)
        {
            Assert.That(first.WeakenedVersions, Is.EqualTo(new[] { "GLIBCXX_3.4.32" }));
            Assert.That(File.Exists(first.LoadedLibraryPath), Is.True);
            Assert.That(MappedLibraries.FindByName("libLibTorchSharp.so"), Is.EqualTo(first.LoadedLibraryPath), "the patched copy is the one in use");
        }
        else
        {
            Assert.That(first.WeakenedVersions, Is.Empty);
        }
    }

    [Test]
    public void On_this_host_the_fix_matches_what_the_host_libstdcxx_lacks()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        var host = MappedLibraries.FindLibStdCxx();
        if (host is null) Assert.Ignore("No libstdc++ mapped (not Linux).");
        bool hostHasIt = ElfImage.Read(host!).VersionDefinitions.Contains("GLIBCXX_3.4.32");
        if (hostHasIt) Assert.That(report.CompatibilityFixApplied, Is.False, "a host with GLIBCXX_3.4.32 must not be patched");
        else Assert.That(report.CompatibilityFixApplied || report.Note.Contains("already loaded"), Is.True);
    }

    [Test]
    public void The_report_names_the_libtorch_and_TorchSharp_native_files_in_use()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        if (!OperatingSystem.IsLinux()) Assert.Ignore("/proc/self/maps is Linux-only");
        Assert.That(report.LibTorchPath, Is.Not.Null.And.Matches<string>(File.Exists));
        Assert.That(MappedLibraries.Find(TorchNativeFiles.IsLibTorchCpu).ToList(), Is.EqualTo(new[] { report.LibTorchPath }), "one libtorch mapped");
        Assert.That(report.TorchSharpNativePath, Is.EqualTo(MappedLibraries.FindByName(TorchNativeFiles.LibTorchSharpFileName)));
        Assert.That(LoadedLibTorch.TryOpen(out var handle), Is.True, "libtorch is opened by the path in the report");
        Assert.That(System.Runtime.InteropServices.NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out _), Is.True);
    }

    [Test]
    public void Deciding_again_on_this_host_keeps_the_libtorch_already_in_use()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        if (!OperatingSystem.IsLinux()) Assert.Ignore("/proc/self/maps is Linux-only");
        var choice = LibTorchSelection.Decide(TorchNativeFiles.Search(), report.TorchSharpVersion);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.UseMapped), choice.Refusal);
        Assert.That(choice.Library!.Path, Is.EqualTo(report.LibTorchPath));
    }

    [Test]
    public void The_report_says_whether_the_tunings_were_applied()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        var settings = FaceNetRuntime.WithEnvironmentOverrides(FaceNetRuntime.Options, FaceNet.Net.Configuration.EnvironmentOverrides.Switch);
        bool glibc = OperatingSystem.IsLinux() && System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out _);
        Assert.That(report.MallocTuningApplied, Is.EqualTo(settings.MallocTuning && glibc));
        if (report.OpenMpSpinTuningApplied) Assert.That(report.OpenMpSpinCount, Is.EqualTo(OpenMpSpinTuning.SpinCount));
        if (!settings.OpenMpSpinTuning) Assert.That(report.OpenMpSpinTuningApplied, Is.False);
    }
}
