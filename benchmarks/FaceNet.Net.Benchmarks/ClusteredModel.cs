using FaceNet.Net.Embeddings;

namespace FaceNet.Net.Benchmarks;

/// <summary>
/// A seeded MODEL of face embeddings for <see cref="GalleryScale"/> (<c>--data clustered</c>): not real embeddings,
/// a stand-in with the two properties that decide how well a proximity graph (HNSW) works, stated as assumptions.
/// </summary>
/// <remarks>
/// <para>Assumption 1, low intrinsic dimension: identities differ along few directions. An identity's centre is
/// <c>normalise(A·z + b + σc·g)</c>: <c>z ~ N(0, I_K)</c> in a latent of K dimensions (<c>--latent</c>, default 24,
/// above the roughly 10-20 that Gong, Boddeti and Jain (CVPR 2019) estimate for face embeddings, so erring on the
/// hard side), <c>A</c> a fixed random D×K matrix (entries N(0, 1/D), so |A·z|² ≈ K), <c>b</c> a fixed offset of squared length
/// 0.4·K (embeddings of one model share a non-zero mean, so two strangers' embeddings are positively correlated),
/// <c>g ~ N(0, I_D)</c> small isotropic noise with σc²·D = 0.1·K (the rest of the space is not empty).</para>
/// <para>Assumption 2, identities are clusters: an embedding (an enrolled photo, or a probe) is
/// <c>normalise(centre + σw·n)</c> with <c>n ~ N(0, I_D)</c> and σw²·D = 0.39, which puts two photos of one person at
/// Euclidean distance about 0.75 and two strangers at about 1.1-1.4, as FaceNet's verification threshold of about
/// 1.1 on unit embeddings implies. The within-identity noise is isotropic (in all D dimensions), which is harder for
/// the graph than real pose/lighting variation, itself concentrated in few directions.</para>
/// <para>What it leaves out: real identities are not Gaussian, clusters differ in spread, and look-alikes (twins,
/// relatives) are more frequent than a Gaussian gives. The numbers it yields are an estimate for real galleries, not
/// a measurement of one; <see cref="GalleryScale"/> prints the distances measured on the generated data.</para>
/// </remarks>
public sealed class ClusteredModel
{
    private const string Weights = "benchmark-random";
    private readonly int _dimension;
    private readonly int _latent;
    private readonly float[] _a; // D x K, row-major
    private readonly float[] _offset;
    private readonly double _centreNoise;
    private readonly double _sampleNoise;
    private readonly Random _random;

    /// <summary>Draws the fixed matrix and offset for <paramref name="dimension"/>-d embeddings and a <paramref name="latent"/>-d latent.</summary>
    public ClusteredModel(int dimension, int latent, int seed)
    {
        _dimension = dimension;
        _latent = latent;
        _random = new Random(seed);
        _a = new float[dimension * latent];
        for (int i = 0; i < _a.Length; i++) _a[i] = (float)(Gaussian(_random) / Math.Sqrt(dimension));
        _offset = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) { _offset[i] = (float)Gaussian(_random); norm += _offset[i] * _offset[i]; }
        double scale = Math.Sqrt(0.4 * latent / norm);
        for (int i = 0; i < dimension; i++) _offset[i] = (float)(_offset[i] * scale);
        _centreNoise = Math.Sqrt(0.1 * latent / dimension);
        _sampleNoise = Math.Sqrt(0.39 / dimension);
    }

    /// <summary>
    /// <paramref name="identities"/> identities with <paramref name="perIdentity"/> embeddings each, and
    /// <paramref name="probes"/> probes: each a new sample of a random enrolled identity, whose index is in the third item.
    /// </summary>
    public (KeyValuePair<string, IReadOnlyList<FaceEmbedding>>[] People, List<FaceEmbedding> Probes, int[] Truth) Generate(int identities, int perIdentity, int probes)
    {
        var people = new KeyValuePair<string, IReadOnlyList<FaceEmbedding>>[identities];
        var probeOf = new int[probes];
        for (int i = 0; i < probes; i++) probeOf[i] = _random.Next(identities);
        var wanted = probeOf.ToHashSet();
        var centres = new Dictionary<int, float[]>();
        for (int i = 0; i < identities; i++)
        {
            var centre = Centre();
            if (wanted.Contains(i)) centres[i] = centre;
            var samples = new FaceEmbedding[perIdentity];
            for (int j = 0; j < perIdentity; j++) samples[j] = Sample(centre);
            people[i] = new($"person-{i}", samples);
        }
        return (people, probeOf.Select(i => Sample(centres[i])).ToList(), probeOf);
    }

    /// <summary>Distances between two embeddings of one identity and between embeddings of two random identities.</summary>
    public (List<double> Same, List<double> Different) PairDistances(KeyValuePair<string, IReadOnlyList<FaceEmbedding>>[] people, int pairs)
    {
        var random = new Random(99);
        List<double> same = [], different = [];
        for (int i = 0; i < pairs; i++)
        {
            var p = people[random.Next(people.Length)].Value;
            if (p.Count > 1) same.Add(p[0].DistanceTo(p[1]));
            different.Add(people[random.Next(people.Length)].Value[0].DistanceTo(people[random.Next(people.Length)].Value[0]));
        }
        return (same, different);
    }

    private float[] Centre()
    {
        var z = new double[_latent];
        for (int j = 0; j < _latent; j++) z[j] = Gaussian(_random);
        var c = new float[_dimension];
        for (int i = 0; i < _dimension; i++)
        {
            double v = _offset[i] + _centreNoise * Gaussian(_random);
            for (int j = 0; j < _latent; j++) v += _a[i * _latent + j] * z[j];
            c[i] = (float)v;
        }
        Normalise(c);
        return c;
    }

    private FaceEmbedding Sample(float[] centre)
    {
        var values = new float[_dimension];
        for (int i = 0; i < _dimension; i++) values[i] = (float)(centre[i] + _sampleNoise * Gaussian(_random));
        return FaceEmbedding.FromValues(values, Weights);
    }

    private static void Normalise(float[] v)
    {
        double norm = 0;
        foreach (var x in v) norm += x * x;
        norm = Math.Sqrt(norm);
        for (int i = 0; i < v.Length; i++) v[i] = (float)(v[i] / norm);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
