using System.Globalization;

namespace FaceNet.Net.Configuration;

/// <summary>
/// Every <c>FACENET_*</c> environment variable the library reads, and the one parser for them. They are documented
/// overrides of the options (docs/configuration.md lists them); code elsewhere never reads the environment itself.
/// Switches take <c>1</c>/<c>0</c>, <c>true</c>/<c>false</c>, <c>on</c>/<c>off</c> (any case, surrounding blanks
/// ignored); an unset or empty variable means "not set"; anything else is a <see cref="FaceNetConfigurationException"/>
/// naming the variable. Stateless, thread-safe (each call reads the environment afresh).
/// </summary>
internal static class EnvironmentOverrides
{
    /// <summary>On (<c>1</c>): no patched copy of TorchSharp's native library is made for an old libstdc++.</summary>
    public const string DisableLibStdCxxFix = "FACENET_DISABLE_LIBSTDCXX_FIX";

    /// <summary>Off: glibc malloc's thresholds are left alone.</summary>
    public const string MallocTuning = "FACENET_MALLOC_TUNING";

    /// <summary>Off: <c>GOMP_SPINCOUNT</c> is left alone.</summary>
    public const string OpenMpTuning = "FACENET_OMP_TUNING";

    /// <summary>Off: every model runs the eager backend on the CPU (no oneDNN fused convolutions, no compiled body).</summary>
    public const string FusedConvolution = "FACENET_FUSED_CONV";

    /// <summary>Off: the oneDNN backend runs its fused convolutions module by module, without the compiled body.</summary>
    public const string CpuGraph = "FACENET_CPU_GRAPH";

    /// <summary>Off: folded CPU networks run NCHW instead of channels-last.</summary>
    public const string ChannelsLast = "FACENET_CHANNELS_LAST";

    /// <summary>Off: folded CUDA networks run NCHW instead of channels-last.</summary>
    public const string CudaChannelsLast = "FACENET_CUDA_CHANNELS_LAST";

    /// <summary>Images per stem chunk on the CPU (0: the whole batch).</summary>
    public const string StemChunk = "FACENET_STEM_CHUNK";

    /// <summary>The folder where published weights are cached (<see cref="Pretrained.WeightsCacheOptions.CacheFolder"/>).</summary>
    public const string Cache = "FACENET_CACHE";

    /// <summary>On: no network access; published weights must already be in the cache (<see cref="Pretrained.WeightsCacheOptions.Offline"/>).</summary>
    public const string Offline = "FACENET_OFFLINE";

    /// <summary>A base URL replacing the base of every catalogue URL (<see cref="Pretrained.WeightsCacheOptions.MirrorBaseUrl"/>).</summary>
    public const string Mirror = "FACENET_MIRROR";

    /// <summary>All the variables above, for docs and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
        [DisableLibStdCxxFix, MallocTuning, OpenMpTuning, FusedConvolution, CpuGraph, ChannelsLast, CudaChannelsLast, StemChunk, Cache, Offline, Mirror];

    /// <summary>The switch <paramref name="name"/>: null when unset or empty.</summary>
    /// <exception cref="FaceNetConfigurationException">The value is not one of 1/0/true/false/on/off.</exception>
    public static bool? Switch(string name) => ParseSwitch(name, Environment.GetEnvironmentVariable(name));

    /// <summary>The non-negative integer <paramref name="name"/> (at most <paramref name="maximum"/>): null when unset or empty.</summary>
    /// <exception cref="FaceNetConfigurationException">The value is not such an integer.</exception>
    public static int? Count(string name, int maximum) => ParseCount(name, Environment.GetEnvironmentVariable(name), maximum);

    /// <summary>The text of <paramref name="name"/>, blanks trimmed: null when unset or empty.</summary>
    public static string? Text(string name)
    {
        var v = Environment.GetEnvironmentVariable(name)?.Trim();
        return string.IsNullOrEmpty(v) ? null : v;
    }

    /// <summary>The parser behind <see cref="Switch"/> (separate so tests need not touch the environment).</summary>
    public static bool? ParseSwitch(string name, string? value)
    {
        var v = value?.Trim().ToLowerInvariant();
        return v switch
        {
            null or "" => null,
            "1" or "true" or "on" => true,
            "0" or "false" or "off" => false,
            _ => throw new FaceNetConfigurationException(
                $"Environment variable {name} is '{PrintableText.Of(value!)}': use 1, 0, true, false, on or off, or unset it."),
        };
    }

    /// <summary>The parser behind <see cref="Count"/>.</summary>
    public static int? ParseCount(string name, string? value, int maximum)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= maximum) return n;
        throw new FaceNetConfigurationException(
            $"Environment variable {name} is '{PrintableText.Of(value!)}': use a whole number from 0 to {maximum}, or unset it.");
    }
}
