using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// The CPU backend on oneDNN's fused convolutions (<see cref="FusedKernel"/>), made only where
/// <see cref="OneDnnCapability"/> admits it. <see cref="Prepare"/> runs the sample module by module (which packs every
/// weight for the sample's shape), then compiles the body into one TorchScript call (<see cref="CompiledBody"/>) and
/// keeps it only if it gives the module-by-module values on the same input; from then on a pass is the stem plus one
/// call. When the body cannot be compiled or disagrees, the backend stays module by module and logs why once.
/// In int8 (<see cref="InferenceSettings.Int8"/>) the body's weights are then quantized (<see cref="QuantizedWeights"/>)
/// and the body compiled with int8 convolutions; there is no float fallback then: a body that cannot be compiled, or
/// whose embeddings are not close to float32's on the sample, fails the first pass.
/// Owns its plan. Not thread-safe (the model calls it under its lock).
/// </summary>
internal sealed class OneDnnBackend(NetworkPlan plan, InferenceSettings settings, ILogger logger) : IInferenceBackend
{
    private readonly FusedKernel _kernel = new();
    private PlanInterpreter? _interpreter;
    private CompiledBody? _compiled;
    private QuantizedWeights? _int8;

    /// <inheritdoc />
    public string Name => _compiled is null ? "onednn" : _int8 is null ? "onednn-compiled" : "onednn-int8";

    /// <inheritdoc />
    public bool IsPrepared { get; private set; }

    private PlanInterpreter Interpreter => _interpreter ??= new PlanInterpreter(_kernel, channelsLast: true, settings.StemChunk);

    /// <inheritdoc />
    public Tensor Prepare(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var x = MemoryLayout.ToChannelsLast(sample);
        var stem = Interpreter.RunStem(plan, x);
        var output = Interpreter.RunBodyAndHead(plan, stem); // packs every weight for this shape
        if (settings.Int8) output = PrepareInt8(stem, output);
        else if (settings.CompiledBody) _compiled = CompileAndCheck(stem, output);
        IsPrepared = true;
        return output.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = MemoryLayout.ToChannelsLast(input);
        var stem = Interpreter.RunStem(plan, x);
        return (_compiled is { } compiled ? compiled.Forward(stem) : Interpreter.RunBodyAndHead(plan, stem)).MoveToOuterDisposeScope();
    }

    // The compiled body, if its source passes the check, it loads, and it gives the module-by-module values.
    private CompiledBody? CompileAndCheck(Tensor stem, Tensor expected)
    {
        CompiledBody? body = null;
        try
        {
            body = CompiledBody.TryCompile(plan, null, settings.ScriptTransform, out var problem);
            if (body is null)
            {
                logger.LogWarning("FaceNet.Net: the network body runs module by module on oneDNN: its TorchScript was refused before compiling ({Problem})", problem);
                return null;
            }
            using var check = body.Forward(stem);
            using var difference = check.sub(expected).abs_().max().to(ScalarType.Float32);
            using var magnitude = expected.abs().max().to(ScalarType.Float32);
            float allowed = 1e-4f * Math.Max(1f, magnitude.item<float>());
            float found = difference.item<float>();
            if (!(found <= allowed))
            {
                logger.LogWarning("FaceNet.Net: the network body runs module by module on oneDNN: the compiled body differed from it by {Difference} (allowed {Allowed})", found, allowed);
                return null;
            }
            var kept = body;
            body = null;
            return kept;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidCastException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("FaceNet.Net: the network body runs module by module on oneDNN: compiling it failed ({Message})", FirstLine(e.Message));
            return null;
        }
        finally
        {
            body?.Dispose();
        }
    }

    // The int8 body, compiled and checked against the float32 pass on the sample (every embedding's cosine to its
    // float32 one at least 0.99: int8 gives 0.9998 and more on the reference weights; a broken operator gives next to
    // nothing, and published weights with wider activation ranges must not fail it): its output for the sample.
    // The body's float32 weights are released once the int8 body runs: nothing reads them again (IsPrepared stays true).
    private Tensor PrepareInt8(Tensor stem, Tensor expected)
    {
        _int8?.Dispose();
        _int8 = QuantizedWeights.Create(plan, _kernel);
        var body = CompiledBody.TryCompile(plan, _int8, settings.ScriptTransform, out var problem)
            ?? throw new InvalidOperationException($"FaceNet.Net: the int8 network body was refused before compiling ({problem}); load the model in Float32.");
        var output = body.Forward(stem);
        using var cosine = nn.functional.cosine_similarity(output, expected, 1).min();
        float worst = cosine.item<float>();
        if (!(worst >= 0.99f))
            throw new InvalidOperationException($"FaceNet.Net: the int8 network body gave embeddings at cosine {worst} to float32's on the first batch (at least 0.99 expected); load the model in Float32.");
        logger.LogInformation("FaceNet.Net: the network body runs in int8 on oneDNN (cosine to float32 on the first batch at least {Cosine})", worst);
        _compiled = body;
        foreach (var convolution in plan.BodyConvolutions()) convolution.ReplaceWeight(empty(0).DetachFromDisposeScope());
        return output;
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOf('\n');
        return (end < 0 ? message : message[..end]).Trim();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _compiled?.Dispose();
        _int8?.Dispose();
        plan.Dispose();
    }
}
