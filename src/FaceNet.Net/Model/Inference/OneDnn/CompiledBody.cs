using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// A plan's body and head as one TorchScript method (<see cref="ScriptGenerator"/>): one call from .NET per forward
/// pass instead of one per operation, which saves the fixed cost around each of the body's 200-odd operations
/// (TorchSharp's call, dispose scopes). Holds references to the plan's tensors (its arguments); owns only the
/// TorchScript module. Thread-safe: TorchScript methods may run concurrently.
/// </summary>
internal sealed class CompiledBody : IDisposable
{
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
    /// <param name="transform">Test seam: rewrites the source before the check.</param>
    /// <param name="problem">Why the source was refused, when it was.</param>
    public static CompiledBody? TryCompile(NetworkPlan plan, Func<string, string>? transform, out string? problem)
    {
        var (source, arguments) = ScriptGenerator.Generate(plan);
        if (transform is not null) source = transform(source);
        problem = TorchScriptCheck.Problem(source, ScriptGenerator.Prelude, ScriptGenerator.EntryLine);
        if (problem is not null) return null;
        return new CompiledBody(TorchScriptArchive.Load(ScriptGenerator.ClassName, source), arguments);
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

    /// <summary>Frees the TorchScript module (the tensors belong to the plan).</summary>
    public void Dispose() => _module.Dispose();
}
