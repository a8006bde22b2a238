using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// A plan's body and head as one TorchScript method (<see cref="ScriptGenerator"/>): one call from .NET per forward
/// pass instead of one per operation, which saves the fixed cost around each of the body's 200-odd operations
/// (TorchSharp's call, dispose scopes). Holds references to the plan's tensors (its arguments); the TorchScript
/// module is shared: the source depends only on the plan's structure (the weights are arguments), so each distinct
/// source is compiled once per process and kept (<see cref="Modules"/>). Loading and freeing a TorchScript module
/// per model returned only part of its native memory (about 8 MB per load, freed never), so a process that
/// reloaded weights grew without bound; a handful of sources (one per embedding size and precision) are compiled now.
/// Thread-safe: TorchScript methods may run concurrently.
/// </summary>
internal sealed class CompiledBody : IDisposable
{
    /// <summary>The compiled modules by source; never freed (bounded by the distinct network structures a process loads).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<jit.ScriptModule>> Modules = new(StringComparer.Ordinal);

    private readonly jit.ScriptModule _module;
    private readonly Tensor[] _arguments;

    private CompiledBody(jit.ScriptModule module, IReadOnlyList<Tensor> arguments)
    {
        _module = module;
        _arguments = [.. arguments];
    }

    /// <summary>
    /// Compiles <paramref name="plan"/>'s body, or returns null with the reason when its source does not pass
    /// <see cref="TorchScriptCheck"/> (nothing is compiled then: a compile error would end the process).
    /// </summary>
    /// <param name="plan">The plan, its convolution weights already packed for oneDNN.</param>
    /// <param name="int8">The body's int8 weights for an int8 body; null for float convolutions.</param>
    /// <param name="transform">Test seam: rewrites the source before the check.</param>
    /// <param name="problem">Why the source was refused, when it was.</param>
    public static CompiledBody? TryCompile(NetworkPlan plan, QuantizedWeights? int8, Func<string, string>? transform, out string? problem)
    {
        var (source, arguments) = ScriptGenerator.Generate(plan, int8);
        if (transform is not null) source = transform(source);
        problem = TorchScriptCheck.Problem(source, int8 is null ? ScriptGenerator.Prelude : ScriptGenerator.Int8Prelude, ScriptGenerator.EntryLine, int8 is not null);
        if (problem is not null) return null;
        var module = Modules.GetOrAdd(source, static s => new Lazy<jit.ScriptModule>(
            () => TorchScriptArchive.Load(ScriptGenerator.ClassName, s), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return new CompiledBody(module.Value, arguments);
        }
        catch
        {
            Modules.TryRemove(new KeyValuePair<string, Lazy<jit.ScriptModule>>(source, module)); // a failed load is not kept
            throw;
        }
    }

    /// <summary>The body and head applied to <paramref name="stemOutput"/> (N x 64 x H x W, the plan's type, CPU): the N x D raw embeddings.</summary>
    public Tensor Forward(Tensor stemOutput)
    {
        var arguments = new object[_arguments.Length + 1];
        arguments[0] = stemOutput;
        _arguments.CopyTo(arguments, 1);
        var output = (Tensor)_module.invoke("forward", arguments);
        GC.KeepAlive(stemOutput);
        GC.KeepAlive(_arguments);
        return output;
    }

    /// <summary>Releases this body; the shared TorchScript module stays compiled for the next model of the same structure, and the tensors belong to the plan.</summary>
    public void Dispose() { }
}
