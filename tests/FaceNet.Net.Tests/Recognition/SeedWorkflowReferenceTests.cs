using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Model;

namespace FaceNet.Net.Tests.Recognition;

/// <summary>
/// Replays the seed notebook's workflow with the reference weights and the five aligned faces: a database of
/// known people, <c>verify(image, identity)</c>, <c>who_is_it(image)</c>, Euclidean distance on L2-normalised
/// embeddings, "unit" preprocessing (x / 255) as in its <c>img_to_encoding</c>. Every distance must equal the one
/// computed from the independent <c>expected.json</c> embeddings within 1e-3.
/// </summary>
/// <remarks>
/// The reference weights are seeded random weights, so different faces sit only ~0.05 apart: at the seed's 0.7
/// everyone matches everyone. The workflow is therefore replayed at 0.7 (outcomes as the distances imply) and at a
/// strict 0.02, where only the same face matches, to exercise the false-claim and unknown branches.
/// </remarks>
[Category(TestCategories.Reference)]
public class SeedWorkflowReferenceTests
{
    private const float StrictThreshold = 0.02f;
    private static readonly string[] Enrolled = { "angelina_jolie", "bradley_cooper", "kate_siegel", "paul_rudd" };
    private const string Stranger = "shea_whigham";

    private FaceEncoder _encoder = null!;
    private InMemoryFaceGallery _database = null!;
    private Dictionary<string, float[]> _expected = null!;

    [OneTimeSetUp]
    public void BuildDatabase()
    {
        _expected = ReferenceCases.NormalizedByPerson("unit");
        _encoder = FaceEncoder.FromWeights(SharedFixtures.Path("fixtures", "reference-128", "weights.h5"),
            new FaceEncoderOptions { Preprocessing = PreprocessingMode.Unit });
        _database = new InMemoryFaceGallery(_encoder);
        foreach (var person in Enrolled) _encoder.Enroll(_database, person, new[] { Face(person) });
    }

    [OneTimeTearDown]
    public void Dispose()
    {
        _database?.Dispose();
        _encoder?.Dispose();
    }

    private static string Face(string person) => SharedFixtures.Path("fixtures", "faces", "aligned", person + ".png");

    private float ExpectedDistance(string a, string b) => ReferenceCases.Distance(_expected[a], _expected[b]);

    [Test]
    public void The_database_holds_the_enrolled_people()
    {
        Assert.That(_database.Count, Is.EqualTo(Enrolled.Length));
        Assert.That(_database.List().Select(i => i.Name), Is.EquivalentTo(Enrolled));
    }

    [TestCase("paul_rudd", "paul_rudd")]
    [TestCase("kate_siegel", "kate_siegel")]
    [TestCase("paul_rudd", "kate_siegel")]
    [TestCase("shea_whigham", "bradley_cooper")]
    [TestCase("angelina_jolie", "paul_rudd")]
    public void Verify_reports_the_reference_distance_and_the_seed_threshold_verdict(string person, string claimed)
    {
        var result = _encoder.Verify(Face(person), _database, claimed);
        float expected = ExpectedDistance(person, claimed);

        Assert.That(result.Distance, Is.EqualTo(expected).Within(1e-3));
        Assert.That(result.Threshold, Is.EqualTo(0.7f));
        Assert.That(result.Metric, Is.EqualTo(DistanceMetric.Euclidean));
        Assert.That(result.IsMatch, Is.EqualTo(expected < 0.7f));
    }

    [Test]
    public void A_true_claim_passes_and_a_false_claim_fails_at_a_strict_threshold()
    {
        var trueClaim = _encoder.Verify(Face("paul_rudd"), _database, "paul_rudd", threshold: StrictThreshold);
        var falseClaim = _encoder.Verify(Face("paul_rudd"), _database, "kate_siegel", threshold: StrictThreshold);

        Assert.That(trueClaim.IsMatch, Is.True);
        Assert.That(trueClaim.Distance, Is.EqualTo(ExpectedDistance("paul_rudd", "paul_rudd")).Within(1e-3));
        Assert.That(falseClaim.IsMatch, Is.False);
        Assert.That(falseClaim.Distance, Is.EqualTo(ExpectedDistance("paul_rudd", "kate_siegel")).Within(1e-3));
    }

    [TestCaseSource(nameof(Enrolled))]
    public void Who_is_it_names_a_known_face(string person)
    {
        var result = _encoder.WhoIsIt(Face(person), _database, threshold: StrictThreshold);

        Assert.That(result.IsKnown, Is.True);
        Assert.That(result.Identity, Is.EqualTo(person));
        Assert.That(result.Distance, Is.EqualTo(ExpectedDistance(person, person)).Within(1e-3));
    }

    [Test]
    public void Who_is_it_says_unknown_for_a_face_nobody_enrolled()
    {
        var result = _encoder.WhoIsIt(Face(Stranger), _database, threshold: StrictThreshold);
        var nearest = Enrolled.OrderBy(p => ExpectedDistance(Stranger, p)).First();

        Assert.That(result.IsKnown, Is.False);
        Assert.That(result.Identity, Is.Null);
        Assert.That(result.Best!.Name, Is.EqualTo(nearest));
        Assert.That(result.Distance, Is.EqualTo(ExpectedDistance(Stranger, nearest)).Within(1e-3));
    }

    [Test]
    public void At_the_seed_threshold_the_stranger_is_taken_for_the_nearest_person_as_the_distances_imply()
    {
        var result = _encoder.WhoIsIt(Face(Stranger), _database);
        var ranked = Enrolled.OrderBy(p => ExpectedDistance(Stranger, p)).ToList();

        Assert.That(result.Threshold, Is.EqualTo(0.7f));
        Assert.That(result.Identity, Is.EqualTo(ExpectedDistance(Stranger, ranked[0]) < 0.7f ? ranked[0] : null));
        var candidates = _database.Identify(_encoder.Encode(Face(Stranger)), topK: Enrolled.Length).Candidates;
        Assert.That(candidates.Select(c => c.Name), Is.EqualTo(ranked));
        for (int i = 0; i < ranked.Count; i++)
            Assert.That(candidates[i].Distance, Is.EqualTo(ExpectedDistance(Stranger, ranked[i])).Within(1e-3));
    }
}
