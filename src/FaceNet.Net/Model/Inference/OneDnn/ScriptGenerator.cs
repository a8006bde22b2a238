using System.Globalization;
using System.Text;
using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// Writes a <see cref="NetworkPlan"/>'s body and head as one TorchScript method (the source of
/// <see cref="CompiledBody"/>): one assignment per operation, each to a fresh variable, every convolution the fused
/// oneDNN call on the weight the backend packed. The same walk as <see cref="PlanInterpreter"/>, one case per kind of
/// plan node. Not thread-safe; one instance writes one script.
/// </summary>
internal sealed class ScriptGenerator
{
    /// <summary>The TorchScript class name of the compiled body.</summary>
    public const string ClassName = "FaceNetBody";

    /// <summary>The first line of <c>forward</c>: the input made dense channels-last, as the fused convolution takes it.</summary>
    public const string EntryLine = "    x = ops.aten.contiguous(x, memory_format=2)";

    private const string Cut = """
          def cut(self: __torch__.FaceNetBody, x: Tensor, channels: int) -> Tensor:
            return ops.aten.contiguous(ops.aten.narrow(x, 1, 0, channels), memory_format=2)

        """;

    private readonly StringBuilder _body = new();
    private readonly List<Tensor> _arguments = [];
    private int _convolutions;
    private int _nextVariable;

    private ScriptGenerator() { }

    /// <summary>The fixed text before <c>forward</c>: the class header and the <c>conv</c> and <c>cut</c> helpers.</summary>
    public static string Prelude { get; } =
        $"class {ClassName}(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
        + FusedConvolution.ConvolutionMethod(ClassName, "conv").Replace("\r\n", "\n")
        + Cut.Replace("\r\n", "\n");

    /// <summary>
    /// The class source for <paramref name="plan"/>'s body and head, and the tensors to pass after the input, in
    /// order (each convolution's current weight and bias, then the head's weight and bias).
    /// </summary>
    public static (string Source, IReadOnlyList<Tensor> Arguments) Generate(NetworkPlan plan)
    {
        var generator = new ScriptGenerator();
        var output = generator.Head(generator.Node(plan.Body, "x"), plan.Head);
        var source = new StringBuilder(Prelude);
        source.Append("  def forward(self: __torch__.").Append(ClassName).Append(", x: Tensor");
        for (int i = 0; i < generator._convolutions; i++)
            source.Append(CultureInfo.InvariantCulture, $", w{i}: Tensor, b{i}: Tensor");
        source.Append(", head_weight: Tensor, head_bias: Tensor) -> Tensor:\n");
        source.Append(EntryLine).Append('\n');
        source.Append(generator._body);
        source.Append("    return ").Append(output).Append('\n');
        generator._arguments.Add(plan.Head.Weight);
        generator._arguments.Add(plan.Head.Bias);
        return (source.ToString(), generator._arguments);
    }

    private string Node(PlanNode node, string x) => node switch
    {
        ConvolutionNode c => Convolution(c.Convolution, x, c.Relu),
        MaxPoolNode p => Assign(string.Create(CultureInfo.InvariantCulture,
            $"ops.aten.max_pool2d({x}, [{p.Kernel}, {p.Kernel}], [{p.Stride}, {p.Stride}], [0, 0], [1, 1], False)")),
        SequenceNode s => s.Steps.Aggregate(x, (input, step) => Node(step, input)),
        ConcatenationNode c => Assign($"ops.aten.cat([{string.Join(", ", c.Branches.Select(branch => Node(branch, x)))}], 1)"),
        ResidualNode r => Residual(r, x),
        _ => throw new NotSupportedException($"no TorchScript for {node.GetType().Name}"),
    };

    private string Residual(ResidualNode node, string x)
    {
        var sum = Assign($"ops.aten.add_({Convolution(node.Projection, Node(node.Branches, x), relu: false)}, {x})");
        return node.Relu ? Assign($"ops.aten.relu_({sum})") : sum;
    }

    private string Convolution(FoldedConvolution convolution, string x, bool relu)
    {
        int index = _convolutions++;
        _arguments.Add(convolution.Weight);
        _arguments.Add(convolution.Bias);
        var output = Assign(string.Create(CultureInfo.InvariantCulture,
            $"self.conv({x}, w{index}, b{index}, {convolution.Stride[0]}, {convolution.Stride[1]}, {convolution.Padding[0]}, {convolution.Padding[1]}, {(relu ? "True" : "False")})"));
        return convolution.ComputedOutputChannels == convolution.OutputChannels
            ? output
            : Assign(string.Create(CultureInfo.InvariantCulture, $"self.cut({output}, {convolution.OutputChannels})"));
    }

    private string Head(string x, HeadNode head) =>
        Assign($"ops.aten.linear(ops.aten.flatten(ops.aten.adaptive_avg_pool2d({x}, [1, 1]), 1, -1), head_weight, head_bias)");

    private string Assign(string expression)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"t{_nextVariable++}");
        _body.Append("    ").Append(name).Append(" = ").Append(expression).Append('\n');
        return name;
    }
}
