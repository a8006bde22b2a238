using System.Globalization;
using System.Text;
using FaceNet.Net.Model.OneDnn;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Graph;

/// <summary>
/// The folded float32 or bfloat16 CPU network after its stem, from <c>conv2d_3b</c> to the bottleneck, as one TorchScript method:
/// one call from .NET per forward pass instead of one per operation. The operations are those of the eager modules
/// (written by <see cref="IScriptEmitter"/>), with every convolution the fused oneDNN call of
/// <see cref="FusedConvolution"/> on the weights the eager pass packed. What it saves is the fixed cost around each
/// of the body's 200-odd operations (TorchSharp's call, the module plumbing, dispose scopes), which at batch 1 is a
/// large part of a pass (docs/performance.md). Holds references to the network's tensors, owns only the TorchScript
/// module. Thread-safe: TorchScript methods may run concurrently.
/// </summary>
internal sealed class CompiledNetworkBody : IDisposable
{
    private const string ClassName = "FaceNetBody";

    private const string Cut = """
          def cut(self: __torch__.FaceNetBody, x: Tensor, channels: int) -> Tensor:
            return ops.aten.contiguous(ops.aten.narrow(x, 1, 0, channels), memory_format=2)

        """;

    private readonly jit.ScriptModule _module;
    private readonly Tensor[] _weights; // w0, b0, w1, b1, ..., head weight, head bias: the method's arguments after x

    private CompiledNetworkBody(jit.ScriptModule module, Tensor[] weights)
    {
        _module = module;
        _weights = weights;
    }

    /// <summary>
    /// Whether folded networks use the compiled body: on unless the environment variable <c>FACENET_CPU_GRAPH</c> is
    /// <c>0</c>; settable for in-process comparisons.
    /// </summary>
    internal static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("FACENET_CPU_GRAPH")?.Trim().ToLowerInvariant() is not ("0" or "false" or "off");

    /// <summary>
    /// Compiles the body that <paramref name="emit"/> writes (given the writer and the input variable <c>x</c>, it
    /// returns the output variable), or returns null when a convolution it writes has no packed fused weight yet.
    /// </summary>
    public static CompiledNetworkBody? TryCompile(Func<ScriptWriter, string, string> emit, Tensor headWeight, Tensor headBias)
    {
        var writer = new ScriptWriter();
        var output = emit(writer, "x");
        var weights = new List<Tensor>();
        foreach (var convolution in writer.Convolutions)
        {
            if (convolution.FusedArguments is not { } arguments) return null;
            weights.Add(arguments.PackedWeight);
            weights.Add(arguments.Bias);
        }
        weights.Add(headWeight);
        weights.Add(headBias);
        var module = TorchScriptArchive.Load(ClassName, Source(writer, output));
        return new CompiledNetworkBody(module, weights.ToArray());
    }

    /// <summary>The body applied to <paramref name="stemOutput"/> (N x 64 x H x W, the network's type, CPU): the N x D raw embeddings.</summary>
    public Tensor Forward(Tensor stemOutput)
    {
        var arguments = new object[_weights.Length + 1];
        arguments[0] = stemOutput;
        _weights.CopyTo(arguments, 1);
        var output = (Tensor)_module.invoke("forward", arguments);
        GC.KeepAlive(stemOutput);
        GC.KeepAlive(_weights);
        return output;
    }

    /// <summary>Frees the TorchScript module (the weights belong to the network).</summary>
    public void Dispose() => _module.Dispose();

    private static string Source(ScriptWriter writer, string output)
    {
        var source = new StringBuilder();
        source.Append("class ").Append(ClassName).Append("(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n");
        source.Append(FusedConvolution.ConvolutionMethod(ClassName, "conv").Replace("\r\n", "\n"));
        source.Append(Cut.Replace("\r\n", "\n"));
        source.Append("  def forward(self: __torch__.").Append(ClassName).Append(", x: Tensor");
        for (int i = 0; i < writer.Convolutions.Count; i++)
            source.Append(CultureInfo.InvariantCulture, $", w{i}: Tensor, b{i}: Tensor");
        source.Append(", head_weight: Tensor, head_bias: Tensor) -> Tensor:\n");
        source.Append("    x = ops.aten.contiguous(x, memory_format=2)\n"); // dense channels-last, as the fused convolution takes it
        source.Append(writer.Body);
        source.Append("    return ").Append(output).Append('\n');
        return source.ToString();
    }
}
