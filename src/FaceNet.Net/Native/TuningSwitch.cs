namespace FaceNet.Net.Native;

/// <summary>How the process-wide tunings (<see cref="MallocTuning"/>, <see cref="OpenMpSpinTuning"/>) read their off switch.</summary>
internal static class TuningSwitch
{
    /// <summary>True when <paramref name="value"/> (an environment variable's) is <c>0</c>, <c>false</c> or <c>off</c>, in any case and spacing.</summary>
    public static bool IsOff(string? value) => value?.Trim().ToLowerInvariant() is "0" or "false" or "off";
}
