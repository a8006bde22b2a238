namespace FaceNet.Net.Model;

/// <summary>
/// How a <see cref="FaceNetModel"/> runs: device, precision, backend and the embedding size to require. Immutable
/// (init-only), so one instance may be shared by any number of threads. Bindable from configuration (strings, enums
/// and numbers only).
/// </summary>
public sealed class InferenceOptions
{
    /// <summary>The default options: CPU, float32, <see cref="InferenceBackend.Auto"/>, the file's embedding size.</summary>
    public static InferenceOptions Default { get; } = new();

    /// <summary>
    /// Where the network runs: <c>cpu</c> (the default when null), <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when
    /// usable, else the CPU). Asking for CUDA where it is not usable fails with a
    /// <see cref="Devices.DeviceNotAvailableException"/> instead of falling back to the CPU.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>The type the network computes in (default <see cref="Net.Precision.Float32"/>); see <see cref="Net.Precision"/>.</summary>
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>The inference backend (default <see cref="InferenceBackend.Auto"/>).</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Auto;

    /// <summary>The embedding size to require (a file of another size then fails to load); null to take it from the file.</summary>
    public int? EmbeddingSize
    {
        get => _embeddingSize;
        init
        {
            if (value is <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "the embedding size must be positive");
            _embeddingSize = value;
        }
    }

    private readonly int? _embeddingSize;

    /// <summary>
    /// Where the model's log lines go (which backend runs, and why a fallback was taken); null: the process-wide
    /// fallback <see cref="FaceNetRuntime.LoggerFactory"/>. <c>services.AddFaceNet</c> passes the host's factory, so
    /// the lines come from <c>ILogger&lt;FaceNetModel&gt;</c>.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
