using FaceNet.Net.Devices;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// <see cref="Precision.Auto"/>: bfloat16 on a CPU with native BF16, float32 elsewhere. The CPU's answer is checked
/// against the kernel's own flag list (<c>/proc/cpuinfo</c>), a source independent of the CPUID reading the library does.
/// </summary>
public class AutoPrecisionTests
{
    [Test]
    public void On_the_cpu_auto_is_bfloat16_exactly_where_the_kernel_lists_avx512_bf16()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) Assert.Ignore("needs /proc/cpuinfo (Linux) to know the CPU's flags independently");
        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        if (flags is null) Assert.Ignore("/proc/cpuinfo has no flags line on this architecture");
        bool listed = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx512_bf16");
        Assert.That(CpuFeatures.NativeBFloat16, Is.EqualTo(listed));
        Assert.That(Precision.Auto.ResolveFor(CPU), Is.EqualTo(listed ? Precision.BFloat16 : Precision.Float32));
    }

    [Test]
    public void On_cuda_auto_is_float32()
    {
        Assert.That(Precision.Auto.ResolveFor(new Device(TorchSharp.DeviceType.CUDA, 0)), Is.EqualTo(Precision.Float32));
    }

    [TestCase(Precision.Float32)]
    [TestCase(Precision.Float16)]
    [TestCase(Precision.BFloat16)]
    public void An_explicit_precision_stays_what_it_is(Precision precision)
    {
        Assert.That(precision.ResolveFor(CPU), Is.EqualTo(precision));
        Assert.That(precision.ResolveFor(new Device(TorchSharp.DeviceType.CUDA, 0)), Is.EqualTo(precision));
    }

    [Test]
    public void Auto_has_no_scalar_type_of_its_own()
    {
        Assert.That(() => Precision.Auto.ToScalarType(), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
