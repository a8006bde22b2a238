using FaceNet.Net.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net.Tests.Native;

/// <summary>The glibc malloc thresholds set at initialisation, and the setting that leaves them alone.</summary>
public class MallocTuningTests
{
    [Test]
    public void On_linux_with_glibc_the_thresholds_are_set()
    {
        if (!OperatingSystem.IsLinux() || !System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out _))
            Assert.Ignore("glibc's malloc is Linux-only; this host has no libc.so.6");
        Assert.That(MallocTuning.Apply(enabled: true, NullLogger.Instance), Is.True, "mallopt accepted both thresholds");
    }

    [Test]
    public void Turned_off_it_leaves_malloc_alone() =>
        Assert.That(MallocTuning.Apply(enabled: false, NullLogger.Instance), Is.False);
}
