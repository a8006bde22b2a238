using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Network;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Chooses and makes the backend for a model: <see cref="InferenceBackend.Auto"/> takes the oneDNN backend where its
/// capability gate admits it, else the eager one with one log line saying why. Int8 runs on the oneDNN backend only:
/// where the gate refuses it, the model is not made. Stateless, thread-safe.
/// </summary>
internal static class InferenceBackends
{
    /// <summary>The backend for <paramref name="network"/> (already on the settings' device, in eval mode) with <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The unfolded backend was asked for in a precision other than float32, or int8 where the oneDNN backend cannot run it.</exception>
    public static IInferenceBackend Create(InceptionResnetV1 network, InferenceSettings settings, ILogger logger)
    {
        if (settings.Int8)
        {
            var reason = settings.Backend != InferenceBackend.Auto ? $"the {settings.Backend.ToString().ToLowerInvariant()} backend was asked for"
                : !settings.CompiledBody ? $"{Configuration.EnvironmentOverrides.CpuGraph} turns the compiled body off"
                : OneDnnCapability.Refusal(settings);
            if (reason is not null)
                throw new ArgumentException($"Precision Int8 runs on the CPU's oneDNN backend only, and {reason}; use Precision Float32 (or BFloat16) here.");
        }
        switch (settings.Backend)
        {
            case InferenceBackend.Unfolded:
                if (settings.DType != ScalarType.Float32) throw new ArgumentException("the unfolded backend runs float32 only");
                return new UnfoldedBackend(network);
            case InferenceBackend.Eager:
                return Eager(network, settings);
        }
        var refusal = OneDnnCapability.Refusal(settings);
        if (refusal is null)
            return new OneDnnBackend(PlanBuilder.Build(network, settings.DType, channelsLast: true, settings.PadPointwise), settings, logger);
        logger.LogInformation("FaceNet.Net: the network runs on the eager backend: {Reason}", refusal);
        return Eager(network, settings);
    }

    private static EagerBackend Eager(InceptionResnetV1 network, InferenceSettings settings) =>
        new(PlanBuilder.Build(network, settings.DType, settings.ChannelsLast, settings.PadPointwise), settings.StemChunk);
}
