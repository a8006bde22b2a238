using System.Globalization;

namespace FaceNet.Net.Evaluation;

/// <summary>
/// A parsed pairs file in the LFW <c>pairs.txt</c> format. First line: <c>folds&lt;TAB&gt;pairs</c> (LFW: <c>10 300</c>, then
/// per fold that many matched then that many mismatched pairs) or a single count (pairsDevTrain/Test: that many matched
/// then mismatched). Matched lines are <c>name n1 n2</c>, mismatched lines <c>name1 n1 name2 n2</c>, separated by tabs
/// (or spaces). Blank lines are ignored. Immutable.
/// </summary>
public sealed class LfwPairsFile
{
    private LfwPairsFile(int folds, int pairsPerFold, IReadOnlyList<LfwPair> pairs)
    {
        Folds = folds;
        PairsPerFold = pairsPerFold;
        Pairs = pairs;
    }

    /// <summary>The number of folds the header declares (1 for a single-count header).</summary>
    public int Folds { get; }

    /// <summary>Matched (and also mismatched) pairs per fold the header declares.</summary>
    public int PairsPerFold { get; }

    /// <summary>The pairs in file order (fold by fold for LFW, which <see cref="VerificationEvaluator"/>'s contiguous folds follow).</summary>
    public IReadOnlyList<LfwPair> Pairs { get; }

    /// <summary>Reads and parses a pairs file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PairsFileFormatException">A line is malformed; the message names its number.</exception>
    public static LfwPairsFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Pairs file '{path}' does not exist.", path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Parses pairs-file text.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">A name for messages (the file path).</param>
    /// <exception cref="PairsFileFormatException">A line is malformed, or the pair count differs from the header's.</exception>
    public static LfwPairsFile Parse(TextReader reader, string source = "pairs file")
    {
        ArgumentNullException.ThrowIfNull(reader);
        int lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        } while (line is not null && string.IsNullOrWhiteSpace(line));
        if (line is null) throw new PairsFileFormatException(source, lineNumber, "the file is empty; expected a header such as '10<TAB>300'.");

        var header = Split(line);
        int folds, perFold;
        if (header.Length == 2 && TryPositive(header[0], out folds) && TryPositive(header[1], out perFold)) { }
        else if (header.Length == 1 && TryPositive(header[0], out perFold)) folds = 1;
        else throw new PairsFileFormatException(source, lineNumber, $"the header '{line.Trim()}' is not 'folds<TAB>pairs' (e.g. '10<TAB>300') or a single pair count.");

        var pairs = new List<LfwPair>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = Split(line);
            if (f.Length == 3)
            {
                if (!TryPositive(f[1], out int n1) || !TryPositive(f[2], out int n2))
                    throw new PairsFileFormatException(source, lineNumber, $"a matched pair needs 'name<TAB>n1<TAB>n2' with positive image numbers, got '{line.Trim()}'.");
                pairs.Add(new LfwPair(f[0], n1, f[0], n2, true, lineNumber));
            }
            else if (f.Length == 4)
            {
                if (!TryPositive(f[1], out int n1) || !TryPositive(f[3], out int n2))
                    throw new PairsFileFormatException(source, lineNumber, $"a mismatched pair needs 'name1<TAB>n1<TAB>name2<TAB>n2' with positive image numbers, got '{line.Trim()}'.");
                if (f[0] == f[2])
                    throw new PairsFileFormatException(source, lineNumber, $"a mismatched pair names the same person twice ('{f[0]}').");
                pairs.Add(new LfwPair(f[0], n1, f[2], n2, false, lineNumber));
            }
            else
            {
                throw new PairsFileFormatException(source, lineNumber, $"expected 3 fields (matched pair) or 4 fields (mismatched pair), got {f.Length}: '{line.Trim()}'.");
            }
        }
        long expected = 2L * folds * perFold;
        if (pairs.Count != expected)
            throw new PairsFileFormatException(source, lineNumber, $"the header declares {folds} fold(s) of {perFold} matched and {perFold} mismatched pairs ({expected} lines) but the file has {pairs.Count} pairs.");
        return new LfwPairsFile(folds, perFold, pairs);
    }

    private static string[] Split(string line) => line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryPositive(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
