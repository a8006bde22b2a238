namespace FaceNet.Net.Cli.Commands;

/// <summary>Which face of a photo a command uses (<c>--face</c>): the largest box, every face, or the Nth (1-based, most probable first).</summary>
/// <param name="Kind">largest, all or index.</param>
/// <param name="Number">The 1-based face number for <see cref="FaceChoiceKind.Index"/>.</param>
internal sealed record FaceChoice(FaceChoiceKind Kind, int Number = 0)
{
    public static FaceChoice Largest { get; } = new(FaceChoiceKind.Largest);

    public static FaceChoice All { get; } = new(FaceChoiceKind.All);

    public static FaceChoice Index(int number) => new(FaceChoiceKind.Index, number);
}

/// <summary>The kinds of <see cref="FaceChoice"/>.</summary>
internal enum FaceChoiceKind
{
    Largest,
    All,
    Index,
}
