using System.Globalization;
using System.Text;
using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// Writes a <see cref="NetworkPlan"/>'s body and head as one TorchScript method (the source of
/// <see cref="CompiledBody"/>): one assignment per operation, each to a fresh variable, every convolution the fused
/// oneDNN call on the weight the backend packed; in int8 (<see cref="QuantizedWeights"/>) every convolution's input
/// is quantized once (shared by the branches that read it) and convolved by oneDNN's int8 operator
/// (<see cref="QuantizedConvolution"/>). The same walk as <see cref="PlanInterpreter"/>, one case per kind of plan
/// node. Not thread-safe; one instance writes one script.
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
    private readonly QuantizedWeights? _int8;
    private readonly Dictionary<string, (string Values, string Scale)> _quantized = new(StringComparer.Ordinal);
    private int _convolutions;
    private int _nextVariable;

    private ScriptGenerator(QuantizedWeights? int8) => _int8 = int8;

    /// <summary>The fixed text before <c>forward</c> in float32 and bfloat16: the class header and the <c>conv</c> and <c>cut</c> helpers.</summary>
    public static string Prelude { get; } =
        $"class {ClassName}(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
        + FusedConvolution.ConvolutionMethod(ClassName, "conv").Replace("\r\n", "\n")
        + Cut.Replace("\r\n", "\n");

    /// <summary>The fixed text before <c>forward</c> in int8: <see cref="Prelude"/> and the <c>scale</c>, <c>quant</c> and <c>qconv</c> helpers.</summary>
    public static string Int8Prelude { get; } = Prelude + QuantizedConvolution.Methods(ClassName);

    /// <summary>
    /// The class source for <paramref name="plan"/>'s body and head, and the tensors to pass after the input, in
    /// order (each convolution's current weight and bias, or in int8 its packed int8 weight, weight scales and bias;
    /// then the head's weight and bias).
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="int8">The body's int8 weights, for an int8 body; null for the fused float convolutions.</param>
    public static (string Source, IReadOnlyList<Tensor> Arguments) Generate(NetworkPlan plan, QuantizedWeights? int8 = null)
    {
        var generator = new ScriptGenerator(int8);
        var output = generator.Head(generator.Node(plan.Body, "x"), plan.Head);
        var source = new StringBuilder(int8 is null ? Prelude : Int8Prelude);
        source.Append("  def forward(self: __torch__.").Append(ClassName).Append(", x: Tensor");
        for (int i = 0; i < generator._convolutions; i++)
        {
            source.Append(CultureInfo.InvariantCulture, $", w{i}: Tensor, ");
            if (int8 is not null) source.Append(CultureInfo.InvariantCulture, $"k{i}: Tensor, ");
            source.Append(CultureInfo.InvariantCulture, $"b{i}: Tensor");
        }
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
        string call;
        var tail = string.Create(CultureInfo.InvariantCulture,
            $"b{index}, {convolution.Stride[0]}, {convolution.Stride[1]}, {convolution.Padding[0]}, {convolution.Padding[1]}, {(relu ? "True" : "False")})");
        if (_int8 is null)
        {
            _arguments.Add(convolution.Weight);
            call = string.Create(CultureInfo.InvariantCulture, $"self.conv({x}, w{index}, {tail}");
        }
        else
        {
            var (packed, scales) = _int8[convolution];
            _arguments.Add(packed);
            _arguments.Add(scales);
            var (values, scale) = Quantized(x);
            call = string.Create(CultureInfo.InvariantCulture, $"self.qconv({values}, {scale}, w{index}, k{index}, {tail}");
        }
        _arguments.Add(convolution.Bias);
        var output = Assign(call);
        return convolution.ComputedOutputChannels == convolution.OutputChannels
            ? output
            : Assign(string.Create(CultureInfo.InvariantCulture, $"self.cut({output}, {convolution.OutputChannels})"));
    }

    // x as uint8 and its scale, written once per variable: the branches reading the same input share it.
    private (string Values, string Scale) Quantized(string x)
    {
        if (_quantized.TryGetValue(x, out var known)) return known;
        var scale = Assign($"self.scale({x})");
        var values = Assign($"self.quant({x}, {scale})");
        return _quantized[x] = (values, scale);
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
