namespace FaceNet.Net.Imaging;

/// <summary>The lower-case names of <see cref="PreprocessingMode"/> used in weight metadata and on the command line. Thread-safe.</summary>
public static class PreprocessingModeNames
{
    /// <summary>Parses <c>fixed</c>, <c>unit</c> or <c>prewhiten</c> (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static PreprocessingMode Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out var mode)
            ? mode
            : throw new ArgumentException($"unknown preprocessing '{name}': use fixed, unit or prewhiten", nameof(name));
    }

    /// <summary>Parses a name; false for anything but <c>fixed</c>, <c>unit</c> or <c>prewhiten</c>.</summary>
    public static bool TryParse(string? name, out PreprocessingMode mode)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "fixed": mode = PreprocessingMode.Fixed; return true;
            case "unit": mode = PreprocessingMode.Unit; return true;
            case "prewhiten": mode = PreprocessingMode.Prewhiten; return true;
            default: mode = default; return false;
        }
    }

    /// <summary>The lower-case name of <paramref name="mode"/>.</summary>
    public static string ToName(PreprocessingMode mode) => mode switch
    {
        PreprocessingMode.Fixed => "fixed",
        PreprocessingMode.Unit => "unit",
        PreprocessingMode.Prewhiten => "prewhiten",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown preprocessing mode"),
    };
}
