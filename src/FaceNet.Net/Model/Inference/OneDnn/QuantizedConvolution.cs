using FaceNet.Net.Model.Inference.TorchScript;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// oneDNN's int8 convolution for <see cref="FaceNet.Net.Precision.Int8"/> (<c>onednn::qconv2d_pointwise</c>, the operator PyTorch's
/// x86 quantization flow emits; VNNI instructions where the CPU has them): unsigned 8-bit activations with one scale per
/// call, taken from the input's maximum (every input of a body convolution follows a ReLU, so the zero point is 0),
/// signed 8-bit weights with one scale per output channel, the bias and the ReLU applied to the 32-bit accumulator, the
/// output dequantized to float32 inside the same oneDNN primitive. Weights are quantized and packed once
/// (<c>onednn::qconv_prepack</c>), for the input shape the model was prepared with.
/// TorchSharp has no binding for the <c>onednn</c> operator namespace, so the operators are reached through TorchScript
/// (<see cref="TorchScriptArchive"/>); the schemas written here are libtorch 2.10's and are only ever compiled behind
/// <see cref="OneDnnCapability"/>'s version gate, and a load-time probe then checks that the operators exist and agree
/// with the float32 convolution. Thread-safe: the module is created once and TorchScript methods may run concurrently.
/// </summary>
internal static class QuantizedConvolution
{
    /// <summary>
    /// The TorchScript methods (for a class named <paramref name="className"/>, indented as class members) that
    /// quantize and convolve: <c>scale(x)</c> (the activation scale: max(x) / 255), <c>quant(x, s)</c> (x as uint8 with
    /// scale s, same layout), <c>qconv(q, s, weight, weight_scales, bias, stride_h, stride_w, pad_h, pad_w, relu)</c>
    /// (float32 out). The one place these operators' schemas are written; <see cref="ScriptGenerator"/> uses it too.
    /// </summary>
    public static string Methods(string className) => $$"""
          def scale(self: __torch__.{{className}}, x: Tensor) -> float:
            return float(ops.aten.clamp_min(ops.aten.max(x), 1.0e-30)) / 255.0
          def quant(self: __torch__.{{className}}, x: Tensor, s: float) -> Tensor:
            return ops.aten.int_repr(ops.aten.quantize_per_tensor(x, s, 0, 13))
          def qconv(self: __torch__.{{className}}, q: Tensor, s: float, weight: Tensor, weight_scales: Tensor, bias: Tensor, stride_h: int, stride_w: int, pad_h: int, pad_w: int, relu: bool) -> Tensor:
            attr = "relu" if relu else "none"
            zero_points = ops.aten.zeros_like(weight_scales, dtype=4)
            return ops.onednn.qconv2d_pointwise(q, s, 0, weight, weight_scales, zero_points, bias, [stride_h, stride_w], [pad_h, pad_w], [1, 1], 1, 1.0, 0, 6, attr, annotate(List[Optional[number]], []), None)

        """.Replace("\r\n", "\n");

    private static readonly string Source = $"""
        class QuantizedConvolution(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def pack(self: __torch__.QuantizedConvolution, weight: Tensor, weight_scales: Tensor, stride_h: int, stride_w: int, pad_h: int, pad_w: int, n: int, c: int, h: int, w: int) -> Tensor:
            return ops.onednn.qconv_prepack(weight, weight_scales, 1.0, 0, [stride_h, stride_w], [pad_h, pad_w], [1, 1], 1, [n, c, h, w])
          def forward_conv(self: __torch__.QuantizedConvolution, x: Tensor, weight: Tensor, weight_scales: Tensor, bias: Tensor, stride_h: int, stride_w: int, pad_h: int, pad_w: int, relu: bool) -> Tensor:
            s = self.scale(x)
            return self.qconv(self.quant(x, s), s, weight, weight_scales, bias, stride_h, stride_w, pad_h, pad_w, relu)

        """.Replace("\r\n", "\n") + Methods("QuantizedConvolution");

    private static readonly Lazy<jit.ScriptModule?> Module = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads the operators' module once and probes it: true when libtorch runs oneDNN's int8 convolution and it agrees
    /// with the float32 one. Call only behind <see cref="OneDnnCapability"/>'s version gate.
    /// </summary>
    public static bool TryLoad() => Module.Value is not null;

    /// <summary>
    /// <paramref name="weight"/> (O x C x kH x kW, float32, CPU; a plain tensor, not a MKLDNN one) quantized per output
    /// channel (symmetric: scale = max |w| / 127) and packed for oneDNN for inputs shaped like
    /// <paramref name="inputShape"/>; and the per-channel scales (float32, O). Other input shapes still compute right;
    /// oneDNN may then reorder the weight per call.
    /// </summary>
    public static (Tensor Packed, Tensor Scales) Pack(Tensor weight, long[] stride, long[] padding, long[] inputShape) =>
        Pack(Module.Value!, weight, stride, padding, inputShape);

    /// <summary>The int8 convolution of float32 <paramref name="input"/> (quantized here) with a packed weight (<see cref="Pack(Tensor, long[], long[], long[])"/>), then ReLU when <paramref name="relu"/>: float32 out.</summary>
    public static Tensor Forward(Tensor input, Tensor packed, Tensor scales, Tensor bias, long[] stride, long[] padding, bool relu) =>
        Forward(Module.Value!, input, packed, scales, bias, stride, padding, relu);

    /// <summary>Per-output-channel symmetric quantization of <paramref name="weight"/>: the int8 values and the float32 scales (an all-zero channel gets a tiny scale and zeros).</summary>
    public static (Tensor Values, Tensor Scales) Quantize(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var dense = weight.to(ScalarType.Float32).contiguous();
        var scales = dense.abs().amax([1, 2, 3]).clamp_min(1e-30).div(127.0);
        var values = dense.div(scales.view(-1, 1, 1, 1)).round_().clamp_(-127, 127).to(ScalarType.Int8).contiguous();
        return (values.MoveToOuterDisposeScope(), scales.contiguous().MoveToOuterDisposeScope());
    }

    // The calls into the module, shared by the public methods and the load-time probe (which runs before Module has a
    // value). Each keeps its tensor arguments reachable until the call returns: TorchSharp reads their handles first.
    private static (Tensor Packed, Tensor Scales) Pack(jit.ScriptModule module, Tensor weight, long[] stride, long[] padding, long[] inputShape)
    {
        var (values, scales) = Quantize(weight);
        using (values)
        {
            var packed = (Tensor)module.invoke("pack", values, scales, checked((int)stride[0]), checked((int)stride[1]), checked((int)padding[0]),
                checked((int)padding[1]), checked((int)inputShape[0]), checked((int)inputShape[1]), checked((int)inputShape[2]), checked((int)inputShape[3]));
            GC.KeepAlive(values);
            GC.KeepAlive(scales);
            return (packed, scales);
        }
    }

    private static Tensor Forward(jit.ScriptModule module, Tensor input, Tensor packed, Tensor scales, Tensor bias, long[] stride, long[] padding, bool relu)
    {
        var output = (Tensor)module.invoke("forward_conv", input, packed, scales, bias,
            (int)stride[0], (int)stride[1], (int)padding[0], (int)padding[1], relu);
        GC.KeepAlive(input);
        GC.KeepAlive(packed);
        GC.KeepAlive(scales);
        GC.KeepAlive(bias);
        return output;
    }

    private static jit.ScriptModule? Load()
    {
        try
        {
            var module = TorchScriptArchive.Load("QuantizedConvolution", Source);
            if (!Probe(module))
            {
                module.Dispose();
                return null;
            }
            return module;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or IOException or UnauthorizedAccessException
            or ArgumentException or InvalidOperationException or InvalidCastException)
        {
            return null;
        }
    }

    // A 3x3 convolution with ReLU of a random non-negative 8-channel 9x9 input into 16 channels, int8 against float32:
    // the operators exist and agree to within int8's rounding (a few hundredths of the output's range).
    private static bool Probe(jit.ScriptModule module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(3);
        var x = MemoryLayout.ToChannelsLast(randn(new long[] { 2, 8, 9, 9 }, generator: generator).relu_());
        var weight = randn(new long[] { 16, 8, 3, 3 }, generator: generator);
        var bias = randn(new long[] { 16 }, generator: generator);
        long[] one = [1, 1];
        var (packed, scales) = Pack(module, weight, one, one, x.shape);
        var quantized = Forward(module, x, packed, scales, bias, one, one, relu: true);
        var plain = nn.functional.conv2d(x, weight, bias, padding: [1, 1]).relu_();
        return quantized.dtype == ScalarType.Float32 && quantized.shape.SequenceEqual(plain.shape)
            && quantized.sub(plain).abs().max().item<float>() <= 0.03f * plain.abs().max().item<float>();
    }
}
