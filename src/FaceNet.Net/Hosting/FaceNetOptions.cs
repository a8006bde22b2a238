using FaceNet.Net.Model;

namespace FaceNet.Net.Hosting;

/// <summary>
/// What <c>services.AddFaceNet(configuration.GetSection("FaceNet"))</c> builds, bindable from any configuration source:
/// JSON (<c>"FaceNet": { "Weights": "..." }</c>), environment variables (<c>FaceNet__Weights=...</c>), the command line.
/// Plain strings, numbers, enums and switches only. Checked when the host starts (names the key and the fix).
/// </summary>
/// <remarks>A mutable options class, as the configuration binder needs; read it only after binding, from any thread.</remarks>
public sealed class FaceNetOptions
{
    /// <summary>The configuration section the service and the samples bind: <c>FaceNet</c>.</summary>
    public const string SectionName = "FaceNet";

    /// <summary>
    /// Required (<c>FaceNet:Weights</c>): a weight file (Keras <c>.h5</c>, PyTorch <c>.pt</c>, <c>.safetensors</c>), or
    /// a catalogue name (<c>vggface2</c>, ...; docs/weights.md) fetched into the cache on first start (see <see cref="Offline"/>).
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// <c>FaceNet:Mtcnn</c>: the MTCNN weights (a folder with <c>pnet</c>, <c>rnet</c>, <c>onet</c>, or the catalogue name
    /// <c>mtcnn</c>). Set: photos are searched for faces, and a face detector is registered. Null: every image is taken
    /// as an aligned face crop.
    /// </summary>
    public string? Mtcnn { get; set; }

    /// <summary><c>FaceNet:Preprocessing</c>: <c>fixed</c>, <c>unit</c> or <c>prewhiten</c>; null: what the weights record, else prewhiten.</summary>
    public string? Preprocessing { get; set; }

    /// <summary><c>FaceNet:Device</c>: <c>cpu</c> (default), <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary><c>FaceNet:Precision</c>: <c>Float32</c> (default), <c>Float16</c> (CUDA), <c>BFloat16</c>, <c>Int8</c> (CPU) or <c>Auto</c>.</summary>
    public Precision Precision { get; set; } = Precision.Float32;

    /// <summary><c>FaceNet:Backend</c>: <c>Auto</c> (default), <c>Eager</c> or <c>Unfolded</c> (docs/configuration.md).</summary>
    public InferenceBackend Backend { get; set; } = InferenceBackend.Auto;

    /// <summary>
    /// <c>FaceNet:Gallery</c>: where the enrolled identities live, a location one registered
    /// <see cref="Recognition.IFaceGalleryFactory"/> can open (a file path; a PostgreSQL connection string once
    /// <c>services.AddFaceNetPostgreSql()</c> is called). Null: no gallery is registered.
    /// </summary>
    public string? Gallery { get; set; }

    /// <summary><c>FaceNet:Threshold</c>: the Euclidean distance below which two faces match; null: 0.70 (<see cref="Recognition.VerificationThresholds.Euclidean"/>).</summary>
    public float? Threshold { get; set; }

    /// <summary><c>FaceNet:MaxBatchSize</c>: the most faces of overlapping requests encoded in one forward pass by the shared coalescing encoder (1 to 256; default 32).</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary><c>FaceNet:Offline</c>: catalogue names are taken from the cache only, never downloaded (containers, air-gapped sites).</summary>
    public bool Offline { get; set; }

    /// <summary><c>FaceNet:CacheFolder</c>: the cache of published weights (null: <c>FACENET_CACHE</c>, else <c>~/.cache/FaceNet.Net/weights</c>).</summary>
    public string? CacheFolder { get; set; }

    /// <summary>The threshold in force: <see cref="Threshold"/>, else the Euclidean default.</summary>
    public float EffectiveThreshold => Threshold ?? Recognition.VerificationThresholds.Euclidean;
}
