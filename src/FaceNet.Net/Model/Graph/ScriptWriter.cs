using System.Globalization;
using System.Text;
using TorchSharp.Modules;

namespace FaceNet.Net.Model.Graph;

/// <summary>
/// Collects the body of a TorchScript method from the folded network's modules (<see cref="IScriptEmitter"/>): one
/// assignment per operation, each to a fresh variable, and the convolutions in the order they are called, each of
/// which becomes two arguments of the method (<c>w{i}</c>, its weight packed for oneDNN, and <c>b{i}</c>, its bias).
/// Not thread-safe; used once per compilation.
/// </summary>
internal sealed class ScriptWriter
{
    private readonly StringBuilder _body = new();
    private readonly List<FoldedConv> _convolutions = [];
    private int _nextVariable;

    /// <summary>The convolutions written so far, in argument order.</summary>
    public IReadOnlyList<FoldedConv> Convolutions => _convolutions;

    /// <summary>The method body written so far (indented for a method of a class).</summary>
    public string Body => _body.ToString();

    /// <summary>A fused convolution with its bias (and ReLU when <paramref name="relu"/>), cut back to its real channels when padded.</summary>
    /// <exception cref="InvalidOperationException">The module was not folded (<paramref name="convolution"/> is null).</exception>
    public string Convolution(FoldedConv? convolution, string input, bool relu)
    {
        if (convolution is null) throw new InvalidOperationException("only a folded network can be written as TorchScript");
        int index = _convolutions.Count;
        _convolutions.Add(convolution);
        var output = Assign(string.Create(CultureInfo.InvariantCulture,
            $"self.conv({input}, w{index}, b{index}, {convolution.Stride[0]}, {convolution.Stride[1]}, {convolution.Padding[0]}, {convolution.Padding[1]}, {(relu ? "True" : "False")})"));
        return convolution.ComputedOutputChannels == convolution.OutputChannels
            ? output
            : Assign(string.Create(CultureInfo.InvariantCulture, $"self.cut({output}, {convolution.OutputChannels})"));
    }

    /// <summary>The modules of <paramref name="sequence"/> one after the other.</summary>
    public string Sequence(Sequential sequence, string input)
    {
        foreach (var module in sequence.children())
            input = ((IScriptEmitter)module).Emit(this, input);
        return input;
    }

    /// <summary>Concatenation along the channels.</summary>
    public string Concatenate(params string[] inputs) => Assign($"ops.aten.cat([{string.Join(", ", inputs)}], 1)");

    /// <summary>The network's 3x3 stride-2 max pool (no padding).</summary>
    public string MaxPool3x3Stride2(string input) => Assign($"ops.aten.max_pool2d({input}, [3, 3], [2, 2], [0, 0], [1, 1], False)");

    /// <summary>
    /// The residual connection: <paramref name="projection"/> applied to <paramref name="input"/>, plus
    /// <paramref name="residual"/>, then a ReLU when <paramref name="relu"/> (as <see cref="FoldedConv.ForwardResidual"/>).
    /// </summary>
    public string Residual(FoldedConv? projection, string input, string residual, bool relu)
    {
        var sum = Assign($"ops.aten.add_({Convolution(projection, input, relu: false)}, {residual})");
        return relu ? Assign($"ops.aten.relu_({sum})") : sum;
    }

    /// <summary>Global average pooling, flattening and the folded bottleneck: the network's head.</summary>
    public string Head(string input, string weight, string bias) =>
        Assign($"ops.aten.linear(ops.aten.flatten(ops.aten.adaptive_avg_pool2d({input}, [1, 1]), 1, -1), {weight}, {bias})");

    private string Assign(string expression)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"t{_nextVariable++}");
        _body.Append("    ").Append(name).Append(" = ").Append(expression).Append('\n');
        return name;
    }
}
