using System.Runtime.Intrinsics.X86;

namespace FaceNet.Net.Devices;

/// <summary>What the CPU offers that the library chooses by, read once from CPUID. Thread-safe.</summary>
internal static class CpuFeatures
{
    private static readonly Lazy<bool> BFloat16 = new(ReadNativeBFloat16);

    /// <summary>
    /// Whether the CPU has the AVX-512 BF16 instructions (CPUID leaf 7, sub-leaf 1, EAX bit 5), with which oneDNN runs
    /// bfloat16 convolutions natively; without them it emulates bfloat16, slower than float32. False off x86.
    /// </summary>
    public static bool NativeBFloat16 => BFloat16.Value;

    private static bool ReadNativeBFloat16()
    {
        if (!X86Base.IsSupported || !Avx512F.IsSupported) return false;
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (maxSubLeaf, _, _, _) = X86Base.CpuId(7, 0);
        if (maxSubLeaf < 1) return false;
        var (eax, _, _, _) = X86Base.CpuId(7, 1);
        return (eax & (1 << 5)) != 0;
    }
}
