namespace FaceNet.Net.Imaging;

/// <summary>
/// Thrown by the container checks (<see cref="PngStructure"/> and the others) when a file is incomplete or
/// inconsistent, or over a budget; <see cref="ImageLoader"/> turns it into an <see cref="ImageLoadException"/> that
/// names the file. Never leaves the library.
/// </summary>
internal sealed class ImageStructureException(string reason, bool overBudget = false) : Exception(reason)
{
    /// <summary>True when the file is well formed but over a limit (a decompression bomb), rather than corrupt.</summary>
    public bool OverBudget { get; } = overBudget;
}
