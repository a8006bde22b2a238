using FaceNet.Net.Model;
using FaceNet.Net.Model.Inference;
using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FaceNet.Net.Tests.Model;

/// <summary>Models on seeded random weights with chosen inference settings, without touching process-wide state.</summary>
internal static class TestModels
{
    /// <summary>CPU settings as a user's defaults resolve them, in <paramref name="precision"/> with <paramref name="backend"/>.</summary>
    public static InferenceSettings Cpu(Precision precision = Precision.Float32, InferenceBackend backend = InferenceBackend.Auto) =>
        InferenceSettings.Resolve(new InferenceOptions { Precision = precision, Backend = backend });

    /// <summary>True when the oneDNN backend can run here with <paramref name="settings"/>.</summary>
    public static bool OneDnnRuns(InferenceSettings settings) => OneDnnCapability.Refusal(settings) is null;

    /// <summary>A model (128-d unless asked) on random weights (BatchNorm gammas random too, so folding is exercised fully).</summary>
    public static FaceNetModel Random(int seed, InferenceSettings settings, ILogger? logger = null, int embeddingSize = 128) =>
        FaceNetModel.FromWeights(RandomWeights.Create(embeddingSize, seed: seed, randomGamma: true), embeddingSize, settings, "fixed", WeightFileFormat.Safetensors,
            new Dictionary<string, string>(), logger);

    /// <summary>Max |a − b| relative to max(1, max |b|).</summary>
    public static double RelativeError(Tensor a, Tensor b) =>
        a.to(ScalarType.Float64).sub(b.to(ScalarType.Float64)).abs().max().item<double>() / Math.Max(1, b.abs().max().to(ScalarType.Float64).item<double>());
}

/// <summary>A logger that keeps every line (thread-safe).</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _lines = [];

    /// <summary>The lines logged so far, as "Level: message".</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
