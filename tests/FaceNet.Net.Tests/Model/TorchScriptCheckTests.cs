using FaceNet.Net.Model.Inference.OneDnn;
using FaceNet.Net.Model.Inference.TorchScript;

namespace FaceNet.Net.Tests.Model;

/// <summary>
/// The check that stands between generated TorchScript and libtorch's compiler (whose errors end the process): it
/// accepts the forms the generator writes and refuses anything else, naming the line.
/// </summary>
public class TorchScriptCheckTests
{
    private static string Script(params string[] body) =>
        ScriptGenerator.Prelude
        + "  def forward(self: __torch__.FaceNetBody, x: Tensor, w0: Tensor, b0: Tensor, head_weight: Tensor, head_bias: Tensor) -> Tensor:\n"
        + ScriptGenerator.EntryLine + "\n"
        + string.Concat(body.Select(line => "    " + line + "\n"));

    private static string? Problem(string source) => TorchScriptCheck.Problem(source, ScriptGenerator.Prelude, ScriptGenerator.EntryLine);

    [Test]
    public void The_generator_s_forms_pass()
    {
        var source = Script(
            "t0 = self.conv(x, w0, b0, 1, 1, 0, 0, True)",
            "t1 = self.cut(t0, 80)",
            "t2 = ops.aten.max_pool2d(t1, [3, 3], [2, 2], [0, 0], [1, 1], False)",
            "t3 = ops.aten.cat([t1, t2], 1)",
            "t4 = ops.aten.add_(t3, x)",
            "t5 = ops.aten.relu_(t4)",
            "t6 = ops.aten.linear(ops.aten.flatten(ops.aten.adaptive_avg_pool2d(t5, [1, 1]), 1, -1), head_weight, head_bias)",
            "return t6");
        Assert.That(Problem(source), Is.Null);
    }

    [TestCase("t0 = x +* 2", "not of the allowed forms|outside the allowed forms")]
    [TestCase("t0 = ops.aten.no_such_op(x)", "outside the allowed forms")]
    [TestCase("t0 = ops.aten.relu_(t9)", "t9 before it is defined")]
    [TestCase("t0 = self.conv(x, w1, b1, 1, 1, 0, 0, True)", "w1, which is not an argument")]
    [TestCase("t0 = ops.aten.relu_(x)\n    t0 = ops.aten.relu_(x)", "a second time")]
    [TestCase("t0 = ops.aten.relu_(x); import os", "outside the allowed forms")]
    [TestCase("u = ops.aten.relu_(x)", "not an assignment")]
    [TestCase("t0 = self.scale(x)", "outside the allowed forms")]
    [TestCase("t0 = self.quant(x, x)", "outside the allowed forms")]
    public void Anything_else_is_refused_with_its_line(string line, string expected)
    {
        var problem = Problem(Script(line, "return t0"));
        Assert.That(problem, Is.Not.Null.And.Match(expected));
    }

    [Test]
    public void The_int8_forms_pass_only_with_the_int8_prelude()
    {
        var int8 = ScriptGenerator.Int8Prelude
            + "  def forward(self: __torch__.FaceNetBody, x: Tensor, w0: Tensor, k0: Tensor, b0: Tensor, head_weight: Tensor, head_bias: Tensor) -> Tensor:\n"
            + ScriptGenerator.EntryLine + "\n"
            + "    t0 = self.scale(x)\n    t1 = self.quant(x, t0)\n    t2 = self.qconv(t1, t0, w0, k0, b0, 1, 1, 0, 0, True)\n    return t2\n";
        // The same forward after the float prelude: the helpers would not exist, and compiling it would end the process.
        var floatPrelude = ScriptGenerator.Prelude + int8[ScriptGenerator.Int8Prelude.Length..];
        Assert.Multiple(() =>
        {
            Assert.That(TorchScriptCheck.Problem(int8, ScriptGenerator.Int8Prelude, ScriptGenerator.EntryLine, int8: true), Is.Null);
            Assert.That(TorchScriptCheck.Problem(floatPrelude, ScriptGenerator.Prelude, ScriptGenerator.EntryLine), Does.Contain("int8 weight scales"));
            Assert.That(TorchScriptCheck.Problem(floatPrelude.Replace("k0: Tensor, ", "", StringComparison.Ordinal), ScriptGenerator.Prelude, ScriptGenerator.EntryLine),
                Does.Contain("outside the allowed forms"));
            Assert.That(TorchScriptCheck.Problem(int8.Replace("k0, b0", "k1, b0", StringComparison.Ordinal), ScriptGenerator.Int8Prelude, ScriptGenerator.EntryLine, int8: true),
                Does.Contain("k1, which is not an argument"));
        });
    }

    [Test]
    public void A_changed_prelude_signature_or_return_is_refused()
    {
        var good = Script("t0 = ops.aten.relu_(x)", "return t0");
        Assert.Multiple(() =>
        {
            Assert.That(Problem(good.Replace("ops.aten.narrow(x, 1, 0, channels)", "ops.aten.narrow(x, 1, 1, channels)", StringComparison.Ordinal)), Is.EqualTo("the prelude is not the fixed one"));
            Assert.That(Problem(good.Replace("w0: Tensor, b0: Tensor", "w0: Tensor, w0: Tensor", StringComparison.Ordinal)), Does.Contain("signature").Or.Contain("twice"));
            Assert.That(Problem(good.Replace("return t0", "return t7", StringComparison.Ordinal)), Does.Contain("returning a defined variable"));
            Assert.That(Problem(good.Replace(ScriptGenerator.EntryLine, "    x = x", StringComparison.Ordinal)), Does.Contain("entry line"));
        });
    }
}
