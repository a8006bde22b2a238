using FaceNet.Net.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace FaceNet.Net.Tests.Native;

/// <summary>The glibc malloc thresholds set at initialisation, and the switch that leaves them alone.</summary>
[NonParallelizable] // sets an environment variable
public class MallocTuningTests
{
    [Test]
    public void On_linux_with_glibc_the_thresholds_are_set()
    {
        if (!OperatingSystem.IsLinux() || !System.Runtime.InteropServices.NativeLibrary.TryLoad("libc.so.6", out _))
            Assert.Ignore("glibc's malloc is Linux-only; this host has no libc.so.6");
        Assert.That(MallocTuning.Apply(NullLogger.Instance), Is.True, "mallopt accepted both thresholds");
    }

    [TestCase("0")]
    [TestCase("off")]
    [TestCase("False")]
    public void The_environment_variable_turns_it_off(string value)
    {
        var previous = Environment.GetEnvironmentVariable(MallocTuning.DisableVariable);
        Environment.SetEnvironmentVariable(MallocTuning.DisableVariable, value);
        try
        {
            Assert.That(MallocTuning.Apply(NullLogger.Instance), Is.False);
        }
        finally
        {
            Environment.SetEnvironmentVariable(MallocTuning.DisableVariable, previous);
        }
    }
}
