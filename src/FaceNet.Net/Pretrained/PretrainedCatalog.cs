using FaceNet.Net.Imaging;

namespace FaceNet.Net.Pretrained;

/// <summary>
/// The catalogue of published weights that FaceNet.Net knows by name (docs/weights.md#catalogue lists the same table).
/// Entries are immutable; the class is stateless and thread-safe.
/// </summary>
/// <remarks>
/// The SHA-256 of the MTCNN files is pinned (they are byte-identical to facenet-pytorch's <c>data/*.pt</c> at the
/// commit in their URL). The FaceNet files' hashes could not be obtained when the catalogue was written: they are
/// recorded at the first download and checked on every later use (trust on first use), and each download is checked
/// structurally (every tensor of the network, with its shape) before it enters the cache.
/// </remarks>
public static class PretrainedCatalog
{
    /// <summary>The default FaceNet weights (<c>vggface2</c>), used when no weights are named.</summary>
    public const string DefaultFaceNet = "vggface2";

    /// <summary>The default MTCNN weights (<c>mtcnn</c>).</summary>
    public const string DefaultMtcnn = "mtcnn";

    private const string FacenetPytorchRelease = "https://github.com/timesler/facenet-pytorch/releases/download/v2.2.9/";
    private const string DeepfaceRelease = "https://github.com/serengil/deepface_models/releases/download/v1.0/";
    private const string MtcnnCommit = "787da06156087cd6b616fe6608213722bddc30cd";
    private const string MtcnnBase = "https://raw.githubusercontent.com/timesler/facenet-pytorch/" + MtcnnCommit + "/data/";

    /// <summary>Every entry, in the order of the docs table.</summary>
    public static IReadOnlyList<PretrainedWeights> All { get; } =
    [
        new("vggface2", PretrainedKind.FaceNet,
            [new("20180402-114759-vggface2.pt", FacenetPytorchRelease + "20180402-114759-vggface2.pt")],
            512, PreprocessingMode.Fixed, 1.04f, 0.30f, "MIT (facenet-pytorch; the weights of davidsandberg/facenet, MIT)",
            "facenet-pytorch release v2.2.9: davidsandberg/facenet 20180402-114759 (VGGFace2), converted to PyTorch; thresholds: deepface's for the same checkpoint (Facenet512)"),
        new("casia-webface", PretrainedKind.FaceNet,
            [new("20180408-102900-casia-webface.pt", FacenetPytorchRelease + "20180408-102900-casia-webface.pt")],
            512, PreprocessingMode.Fixed, null, null, "MIT (facenet-pytorch; the weights of davidsandberg/facenet, MIT)",
            "facenet-pytorch release v2.2.9: davidsandberg/facenet 20180408-102900 (CASIA-WebFace), converted to PyTorch; no published threshold"),
        new("deepface-facenet", PretrainedKind.FaceNet,
            [new("facenet_weights.h5", DeepfaceRelease + "facenet_weights.h5")],
            128, PreprocessingMode.Prewhiten, 0.80f, 0.40f, "MIT (deepface)",
            "deepface_models release v1.0 (deepface \"Facenet\"), Keras save_weights layout"),
        new("deepface-facenet512", PretrainedKind.FaceNet,
            [new("facenet512_weights.h5", DeepfaceRelease + "facenet512_weights.h5")],
            512, PreprocessingMode.Prewhiten, 1.04f, 0.30f, "MIT (deepface)",
            "deepface_models release v1.0 (deepface \"Facenet512\", from davidsandberg/facenet 20180402-114759), Keras save_weights layout"),
        new("keras-facenet", PretrainedKind.FaceNet,
            [new("facenet_keras.h5", null)],
            128, PreprocessingMode.Prewhiten, 0.70f, null, "not stated by the source (converted from davidsandberg/facenet, MIT)",
            "manual: keras-facenet (Hiroki Taniai, nyoki-mtl/keras-facenet) links facenet_keras.h5 from its README with no stable URL; download it from there and place it in the cache folder as facenet_keras.h5 (or pass its path)"),
        new("mtcnn", PretrainedKind.Mtcnn,
            [
                new("pnet.pt", MtcnnBase + "pnet.pt", 28570, "a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f"),
                new("rnet.pt", MtcnnBase + "rnet.pt", 403147, "bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86"),
                new("onet.pt", MtcnnBase + "onet.pt", 1559269, "165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d"),
            ],
            null, null, null, null, "MIT (facenet-pytorch)",
            "facenet-pytorch data/pnet.pt, rnet.pt, onet.pt at commit " + MtcnnCommit),
    ];

    /// <summary>The entry named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static PretrainedWeights? Find(string name) => Find(All, name);

    /// <summary>
    /// The FaceNet entry whose file is named <paramref name="fileName"/> (the file name of a path, compared
    /// case-insensitively), or null: how a weights file from the cache is recognised, for its preprocessing.
    /// </summary>
    public static PretrainedWeights? FindByFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = Path.GetFileName(fileName);
        return All.FirstOrDefault(e => e.Kind == PretrainedKind.FaceNet && e.Files.Any(f => string.Equals(f.FileName, name, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The entry named <paramref name="name"/> in <paramref name="catalog"/> (case-insensitive), or null.</summary>
    public static PretrainedWeights? Find(IEnumerable<PretrainedWeights> catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(name);
        return catalog.FirstOrDefault(e => string.Equals(e.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
    }
}
