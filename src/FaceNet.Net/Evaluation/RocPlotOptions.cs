namespace FaceNet.Net.Evaluation;

/// <summary>
/// Size and layout of a ROC picture. The plot square maps FPR 0..1 to x = Margin .. Width − Margin − 1 and TPR 0..1 to
/// y = Height − Margin − 1 .. Margin (pixel centres, rounded to the nearest). Immutable.
/// </summary>
public sealed record RocPlotOptions
{
    /// <summary>Picture width in pixels (default 400).</summary>
    public int Width { get; init; } = 400;

    /// <summary>Picture height in pixels (default 400).</summary>
    public int Height { get; init; } = 400;

    /// <summary>Pixels between the picture edge and the plot square, holding the tick marks (default 40).</summary>
    public int Margin { get; init; } = 40;

    /// <summary>Tick marks every this many units of rate (default 0.1).</summary>
    public double TickStep { get; init; } = 0.1;

    /// <summary>Length of a tick mark in pixels, drawn outside the plot square (default 6).</summary>
    public int TickLength { get; init; } = 6;

    /// <summary>The pixel of the rate point (fpr, tpr).</summary>
    public (int X, int Y) ToPixel(double fpr, double tpr) =>
        ((int)Math.Round(Margin + fpr * (Width - 2 * Margin - 1)), (int)Math.Round(Height - Margin - 1 - tpr * (Height - 2 * Margin - 1)));
}
