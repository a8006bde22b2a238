namespace FaceNet.Net.Evaluation;

/// <summary>A line of a pairs file (LFW <c>pairs.txt</c> format) is malformed. The message names the file and the line.</summary>
public sealed class PairsFileFormatException : FaceNetException
{
    /// <summary>Creates the exception for line <paramref name="lineNumber"/> (1-based) of <paramref name="source"/>.</summary>
    public PairsFileFormatException(string source, int lineNumber, string problem)
        : base($"{source}, line {lineNumber}: {problem}")
    {
        Source = source;
        LineNumber = lineNumber;
    }

    /// <summary>The 1-based line number of the bad line.</summary>
    public int LineNumber { get; }

    /// <summary>The file (or the name given for the text).</summary>
    public new string Source { get; }
}
