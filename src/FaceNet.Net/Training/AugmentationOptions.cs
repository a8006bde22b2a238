namespace FaceNet.Net.Training;

/// <summary>
/// Random augmentation applied to each training batch, on tensors. Colour factors are drawn uniformly from
/// [1 − s, 1 + s]. Immutable.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>No augmentation.</summary>
    public static AugmentationOptions None { get; } = new() { FlipProbability = 0, CropPadding = 0, Brightness = 0, Contrast = 0, Saturation = 0 };

    /// <summary>Probability of a horizontal flip (default 0.5).</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Pixels of zero padding (mid-grey after preprocessing) on each side before a random crop back to the input size (default 4; 0 disables).</summary>
    public int CropPadding { get; init; } = 4;

    /// <summary>Brightness jitter strength s (default 0.2).</summary>
    public double Brightness { get; init; } = 0.2;

    /// <summary>Contrast jitter strength s (default 0.2).</summary>
    public double Contrast { get; init; } = 0.2;

    /// <summary>Saturation jitter strength s (default 0.2).</summary>
    public double Saturation { get; init; } = 0.2;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A probability outside [0, 1], a negative padding, or a strength outside [0, 1].</exception>
    public void Validate()
    {
        if (FlipProbability is < 0 or > 1 || double.IsNaN(FlipProbability))
            throw new ArgumentOutOfRangeException(nameof(FlipProbability), FlipProbability, "The flip probability must be in [0, 1].");
        if (CropPadding < 0) throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "The crop padding must be ≥ 0.");
        foreach (var (name, v) in new[] { (nameof(Brightness), Brightness), (nameof(Contrast), Contrast), (nameof(Saturation), Saturation) })
            if (v is < 0 or > 1 || double.IsNaN(v))
                throw new ArgumentOutOfRangeException(name, v, $"The {name.ToLowerInvariant()} jitter strength must be in [0, 1].");
    }
}
