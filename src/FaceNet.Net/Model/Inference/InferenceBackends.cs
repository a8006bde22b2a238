using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Network;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference;

/// <summary>
/// Chooses and makes the backend for a model: <see cref="InferenceBackend.Auto"/> takes the oneDNN backend where its
/// capability gate admits it, else the eager one with one log line saying why. Stateless, thread-safe.
/// </summary>
internal static class InferenceBackends
{
    /// <summary>The backend for <paramref name="network"/> (already on the settings' device, in eval mode) with <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The unfolded backend was asked for in a precision other than float32.</exception>
    public static IInferenceBackend Create(InceptionResnetV1 network, InferenceSettings settings, ILogger logger)
    {
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
