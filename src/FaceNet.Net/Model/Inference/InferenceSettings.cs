using FaceNet.Net.Configuration;
using FaceNet.Net.Devices;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Everything a backend needs to know, resolved once when a model is made: the public <see cref="InferenceOptions"/>,
/// the documented environment overrides (<see cref="EnvironmentOverrides"/>) and what the process offers (the loaded
/// libtorch's version). Tests build it directly to choose paths without touching process-wide state. Immutable.
/// </summary>
internal sealed record InferenceSettings
{
    /// <summary>The default number of images per stem chunk on the CPU (see <see cref="StemChunk"/>).</summary>
    public const int DefaultStemChunk = 8;

    /// <summary>The device the network runs on.</summary>
    public required Device Device { get; init; }

    /// <summary>The type the network computes in.</summary>
    public required ScalarType DType { get; init; }

    /// <summary>
    /// Whether the body's convolutions compute in 8-bit integers (<see cref="Precision.Int8"/>; <see cref="DType"/> is
    /// then float32, the type between them). Only the oneDNN backend does it.
    /// </summary>
    public bool Int8 { get; init; }

    /// <summary>The precision a model with these settings reports.</summary>
    public Precision Precision => Int8 ? Precision.Int8 : DType.ToPrecision();

    /// <summary>The backend asked for.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Auto;

    /// <summary>
    /// Whether 4-d activations and weights are channels-last: on by default on the CPU (oneDNN reads it as is) and on
    /// CUDA (cuDNN's tensor-core kernels work in NHWC); docs/performance.md and docs/gpu.md have the measurements.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>
    /// Images per stem chunk on the CPU (0: the whole batch). The stem's maps (79², 77², 38²) over a large batch
    /// outgrow the CPU caches, where oneDNN's convolutions run much slower per image; the rest of the network runs
    /// on the whole batch. Exact: the stem has no cross-image operation in eval mode.
    /// </summary>
    public int StemChunk { get; init; } = DefaultStemChunk;

    /// <summary>Whether the oneDNN backend may use its fused convolutions (off: the eager backend on the CPU).</summary>
    public bool FusedConvolution { get; init; } = true;

    /// <summary>Whether the oneDNN backend may compile the body into one TorchScript call (off: module by module).</summary>
    public bool CompiledBody { get; init; } = true;

    /// <summary>The loaded libtorch's version (the capability gate and <see cref="PointwiseConvPadding"/> read it).</summary>
    public string? LibTorchVersion { get; init; }

    /// <summary>Test seam: rewrites the compiled body's TorchScript before it is checked and loaded.</summary>
    public Func<string, string>? ScriptTransform { get; init; }

    /// <summary>Whether 1x1 convolutions get padded output channels (<see cref="PointwiseConvPadding"/>).</summary>
    public bool PadPointwise => Device.type == TorchSharp.DeviceType.CPU && ChannelsLast && PointwiseConvPadding.Applies(LibTorchVersion);

    /// <summary>Resolves <paramref name="options"/> with the environment overrides.</summary>
    /// <exception cref="DeviceNotAvailableException">The device is not valid or not usable.</exception>
    /// <exception cref="FaceNetConfigurationException">An environment override has a value it does not take.</exception>
    public static InferenceSettings Resolve(InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var report = FaceNetRuntime.EnsureInitialized();
        var device = DeviceResolver.Resolve(options.Device);
        bool cuda = device.type == TorchSharp.DeviceType.CUDA;
        return new InferenceSettings
        {
            Device = device,
            DType = options.Precision.ResolveFor(device).ToScalarType(),
            Int8 = options.Precision == Precision.Int8,
            Backend = options.Backend,
            ChannelsLast = EnvironmentOverrides.Switch(cuda ? EnvironmentOverrides.CudaChannelsLast : EnvironmentOverrides.ChannelsLast) ?? true,
            StemChunk = EnvironmentOverrides.Count(EnvironmentOverrides.StemChunk, 4096) ?? DefaultStemChunk,
            FusedConvolution = EnvironmentOverrides.Switch(EnvironmentOverrides.FusedConvolution) ?? true,
            CompiledBody = EnvironmentOverrides.Switch(EnvironmentOverrides.CpuGraph) ?? true,
            LibTorchVersion = report.LibTorchVersion,
        };
    }
}
