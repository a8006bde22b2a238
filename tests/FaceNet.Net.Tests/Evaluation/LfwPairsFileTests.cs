using FaceNet.Net.Evaluation;

namespace FaceNet.Net.Tests.Evaluation;

public class LfwPairsFileTests
{
    // The real pairs.txt layout: header "10<TAB>300", then per fold matched lines, then mismatched lines. Here 2 folds of 2.
    private const string Sample =
        "2\t2\n" +
        "Abel_Pacheco\t1\t4\n" +
        "Akhmed_Zakayev\t1\t3\n" +
        "Abdel_Madi_Shabneh\t1\tDean_Barker\t1\n" +
        "Abdel_Madi_Shabneh\t1\tGiancarlo_Fisichella\t1\n" +
        "Tom_Hanks\t2\t10\n" +
        "Zico\t1\t2\n" +
        "Aaron_Peirsol\t1\tZico\t3\n" +
        "Tom_Hanks\t12\tAaron_Peirsol\t2\n";

    [Test]
    public void The_LFW_format_is_parsed_with_folds_matched_and_mismatched_pairs()
    {
        var file = LfwPairsFile.Parse(new StringReader(Sample), "pairs.txt");
        Assert.That(file.Folds, Is.EqualTo(2));
        Assert.That(file.PairsPerFold, Is.EqualTo(2));
        Assert.That(file.Pairs, Has.Count.EqualTo(8));
        Assert.That(file.Pairs[0], Is.EqualTo(new LfwPair("Abel_Pacheco", 1, "Abel_Pacheco", 4, true, 2)));
        Assert.That(file.Pairs[2], Is.EqualTo(new LfwPair("Abdel_Madi_Shabneh", 1, "Dean_Barker", 1, false, 4)));
        Assert.That(file.Pairs.Select(p => p.IsSame), Is.EqualTo(new[] { true, true, false, false, true, true, false, false }));
        var root = Path.Combine("lfw");
        Assert.That(file.Pairs[7].FirstPath(root), Is.EqualTo(Path.Combine("lfw", "Tom_Hanks", "Tom_Hanks_0012.jpg")));
        Assert.That(file.Pairs[7].SecondPath(root), Is.EqualTo(Path.Combine("lfw", "Aaron_Peirsol", "Aaron_Peirsol_0002.jpg")));
    }

    [Test]
    public void The_real_10_by_300_header_and_a_single_count_header_are_accepted()
    {
        var lines = new List<string> { "10\t300" };
        for (int fold = 0; fold < 10; fold++)
        {
            for (int i = 0; i < 300; i++) lines.Add($"Person_{i}\t1\t2");
            for (int i = 0; i < 300; i++) lines.Add($"Person_{i}\t1\tOther_{i}\t1");
        }
        var lfw = LfwPairsFile.Parse(new StringReader(string.Join("\r\n", lines) + "\r\n"));
        Assert.That((lfw.Folds, lfw.PairsPerFold, lfw.Pairs.Count), Is.EqualTo((10, 300, 6000)));

        var dev = LfwPairsFile.Parse(new StringReader("1\nA\t1\t2\nA\t1\tB\t1\n"));
        Assert.That((dev.Folds, dev.PairsPerFold, dev.Pairs.Count), Is.EqualTo((1, 1, 2)));
    }

    [TestCase("2\t2\nAbel_Pacheco\t1\n", 2, "expected 3 fields")]
    [TestCase("2\t2\nAbel_Pacheco\t1\t4\nAkhmed_Zakayev\tone\t3\n", 3, "positive image numbers")]
    [TestCase("2\t2\nAbel_Pacheco\t1\t4\n\nZico\t1\tZico\t2\n", 4, "same person twice")]
    [TestCase("ten\tthree hundred\n", 1, "header")]
    [TestCase("1\t1\nA\t1\t2\nA\t0\tB\t1\n", 3, "positive image numbers")]
    public void A_malformed_line_is_rejected_with_its_line_number(string text, int line, string problem)
    {
        var e = Assert.Throws<PairsFileFormatException>(() => LfwPairsFile.Parse(new StringReader(text), "pairs.txt"))!;
        Assert.That(e.LineNumber, Is.EqualTo(line));
        Assert.That(e.Message, Does.StartWith($"pairs.txt, line {line}:").And.Contains(problem));
        Assert.That(e, Is.InstanceOf<FaceNetException>());
    }

    [Test]
    public void A_pair_count_that_disagrees_with_the_header_is_rejected()
    {
        var e = Assert.Throws<PairsFileFormatException>(() => LfwPairsFile.Parse(new StringReader("2\t2\nA\t1\t2\n")))!;
        Assert.That(e.Message, Does.Contain("8 lines").And.Contain("has 1 pairs"));
    }

    [Test]
    public void A_missing_file_is_a_FileNotFoundException()
    {
        Assert.That(() => LfwPairsFile.Load(Path.Combine(Path.GetTempPath(), "no-such-pairs.txt")), Throws.InstanceOf<FileNotFoundException>());
    }
}
