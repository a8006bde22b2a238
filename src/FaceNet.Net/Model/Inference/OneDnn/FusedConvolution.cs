using FaceNet.Net.Model.Inference.TorchScript;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceNet.Net.Model.Inference.OneDnn;

/// <summary>
/// libtorch's fused oneDNN convolution (<c>mkldnn::_convolution_pointwise</c>, the operator PyTorch's own CPU
/// compiler emits) for the oneDNN backend in float32 and bfloat16: the convolution, its bias and the ReLU in one oneDNN
/// primitive, with the weight reordered once into the blocked layout oneDNN computes with (a MKLDNN tensor) instead of
/// on every call. TorchSharp has no binding for the <c>mkldnn</c> operator namespace, so the operators are reached
/// through a tiny TorchScript module (<see cref="TorchScriptArchive"/>) loaded once per process.
/// The operator schemas written here are libtorch 2.10's; a schema that does not match ends the process when
/// TorchScript compiles it, so the module is only ever loaded behind <see cref="OneDnnCapability"/>'s version gate,
/// and a load-time probe then checks that the operators exist and agree with the plain convolution.
/// Integer arguments go to TorchScript as <c>int</c>: TorchSharp 0.107 passes a <c>long</c> through a temporary
/// Scalar that the garbage collector can free before libtorch reads it (seen as a sporadic "Scalar::toLong" failure).
/// Thread-safe: the module is created once and TorchScript methods may run concurrently.
/// </summary>
internal static class FusedConvolution
{
    private const string Source = """
        class FusedConvolution(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def pack(self: __torch__.FusedConvolution, weight: Tensor, stride_h: int, stride_w: int, pad_h: int, pad_w: int, n: int, c: int, h: int, w: int) -> Tensor:
            dense = ops.aten.contiguous(weight)
            return ops.aten.mkldnn_reorder_conv2d_weight(ops.aten.to_mkldnn(dense, None), [pad_h, pad_w], [stride_h, stride_w], [1, 1], 1, [n, c, h, w])
          def unpack(self: __torch__.FusedConvolution, packed: Tensor) -> Tensor:
            dense = ops.aten.to_dense(packed, None)
            return ops.aten.contiguous(ops.aten.permute(dense, [0, 2, 3, 1]))

        """;

    /// <summary>
    /// The TorchScript method (for a class named <paramref name="className"/>, indented as a class member) that runs
    /// the fused convolution: <c>{methodName}(x, weight, bias, stride_h, stride_w, pad_h, pad_w, relu)</c>. The one
    /// place the operator's schema (libtorch 2.10's) is written; <see cref="CompiledBody"/> uses it too.
    /// </summary>
    public static string ConvolutionMethod(string className, string methodName) => $"""
          def {methodName}(self: __torch__.{className}, x: Tensor, weight: Tensor, bias: Tensor, stride_h: int, stride_w: int, pad_h: int, pad_w: int, relu: bool) -> Tensor:
            attr = "relu" if relu else "none"
            return ops.mkldnn._convolution_pointwise(x, weight, bias, [pad_h, pad_w], [stride_h, stride_w], [1, 1], 1, attr, annotate(List[Optional[number]], []), None)

        """;

    private static readonly Lazy<jit.ScriptModule?> Module = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<bool> BFloat16Works = new(() => Module.Value is { } module && Works(() => ProbeBFloat16(module)),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads the operators' module once and probes it: true when libtorch runs the fused operators and they agree with
    /// the plain convolution. Call only behind <see cref="OneDnnCapability"/>'s version gate.
    /// </summary>
    public static bool TryLoad() => Module.Value is not null;

    /// <summary>
    /// Whether the fused operators take tensors of <paramref name="dtype"/>: float32, and bfloat16 where oneDNN runs it
    /// on this CPU (libtorch refuses bfloat16 oneDNN convolutions on CPUs without AVX-512; a probe decides, once).
    /// Call after <see cref="TryLoad"/> returned true.
    /// </summary>
    public static bool Supports(ScalarType dtype) => dtype == ScalarType.Float32 || (dtype == ScalarType.BFloat16 && BFloat16Works.Value);

    /// <summary>
    /// <paramref name="weight"/> (O x C x kH x kW, float32 or bfloat16, CPU) reordered for oneDNN as a MKLDNN tensor, for inputs
    /// shaped like <paramref name="inputShape"/> (N x C x H x W; other shapes still compute right, oneDNN may then
    /// reorder the weight again per call).
    /// </summary>
    public static Tensor Pack(Tensor weight, long[] stride, long[] padding, long[] inputShape) =>
        Pack(Module.Value!, weight, stride, padding, inputShape);

    /// <summary>conv2d(x, packed weight, bias), then ReLU when <paramref name="relu"/>: one oneDNN call, dense channels-last out.</summary>
    public static Tensor Forward(Tensor input, Tensor packedWeight, Tensor bias, long[] stride, long[] padding, bool relu) =>
        Forward(Module.Value!, input, packedWeight, bias, stride, padding, relu);

    /// <summary>
    /// The plain weight back from <paramref name="packed"/> (a <see cref="Pack(Tensor, long[], long[], long[])"/>
    /// result): O x C x kH x kW with channels-last strides, exactly the values packed.
    /// </summary>
    public static Tensor Unpack(Tensor packed) => Unpack(Module.Value!, packed);

    // The three calls into the module, shared by the public methods and the load-time probe (which runs before
    // Module has a value). Each keeps its tensor arguments reachable until the call returns: TorchSharp reads
    // their handles first.
    private static Tensor Pack(jit.ScriptModule module, Tensor weight, long[] stride, long[] padding, long[] inputShape)
    {
        var packed = (Tensor)module.invoke("pack", weight, checked((int)stride[0]), checked((int)stride[1]), checked((int)padding[0]),
            checked((int)padding[1]), checked((int)inputShape[0]), checked((int)inputShape[1]), checked((int)inputShape[2]), checked((int)inputShape[3]));
        GC.KeepAlive(weight);
        return packed;
    }

    private static Tensor Forward(jit.ScriptModule module, Tensor input, Tensor packedWeight, Tensor bias, long[] stride, long[] padding, bool relu)
    {
        var output = (Tensor)module.invoke("forward_conv", input, packedWeight, bias,
            (int)stride[0], (int)stride[1], (int)padding[0], (int)padding[1], relu);
        GC.KeepAlive(input);
        GC.KeepAlive(packedWeight);
        GC.KeepAlive(bias);
        return output;
    }

    private static Tensor Unpack(jit.ScriptModule module, Tensor packed)
    {
        using var nhwc = (Tensor)module.invoke("unpack", packed);
        GC.KeepAlive(packed);
        return nhwc.permute(0, 3, 1, 2);
    }

    private static jit.ScriptModule? Load()
    {
        try
        {
            var module = TorchScriptArchive.Load("FusedConvolution", Source + ConvolutionMethod("FusedConvolution", "forward_conv"));
            if (!Works(() => Probe(module)))
            {
                module.Dispose();
                return null;
            }
            return module;
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Runs a load-time probe: any failure there means "not supported", never an exception out of model loading.
    private static bool Works(Func<bool> probe)
    {
        try
        {
            return probe();
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or ArgumentException or InvalidOperationException or InvalidCastException)
        {
            return false;
        }
    }

    // One small fused convolution checked against the plain one, and a weight packed and unpacked: the operators
    // exist and agree.
    private static bool Probe(jit.ScriptModule module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (fused, plain, weight, packed) = ConvolveBothWays(module, ScalarType.Float32, seed: 1);
        var unpacked = Unpack(module, packed);
        return fused.shape.SequenceEqual(plain.shape) && fused.sub(plain).abs().max().item<float>() < 1e-4f
            && unpacked.eq(weight).all().item<bool>();
    }

    // The same in bfloat16, fused against plain (the same oneDNN kernel where libtorch allows it).
    private static bool ProbeBFloat16(jit.ScriptModule module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (fused, plain, _, _) = ConvolveBothWays(module, ScalarType.BFloat16, seed: 2);
        using var fused32 = fused.to(ScalarType.Float32);
        using var plain32 = plain.to(ScalarType.Float32);
        return fused.dtype == ScalarType.BFloat16 && fused.shape.SequenceEqual(plain.shape)
            && fused32.sub(plain32).abs().max().item<float>() <= 0.05f * Math.Max(1f, plain32.abs().max().item<float>());
    }

    // A 3x3 convolution with ReLU of random 8-channel 5x5 input into 16 channels, in dtype, fused and plain; the
    // tensors land in the caller's dispose scope.
    private static (Tensor Fused, Tensor Plain, Tensor Weight, Tensor Packed) ConvolveBothWays(jit.ScriptModule module, ScalarType dtype, ulong seed)
    {
        var generator = new Generator(seed);
        var x = MemoryLayout.ToChannelsLast(randn(new long[] { 1, 8, 5, 5 }, generator: generator).to(dtype));
        var weight = MemoryLayout.ToChannelsLast(randn(new long[] { 16, 8, 3, 3 }, generator: generator).to(dtype));
        var bias = randn(new long[] { 16 }, generator: generator).to(dtype);
        long[] one = [1, 1];
        var packed = Pack(module, weight, one, one, x.shape);
        var fused = Forward(module, x, packed, bias, one, one, relu: true);
        var plain = nn.functional.conv2d(x, weight, bias, padding: [1, 1]).relu_();
        return (fused, plain, weight, packed);
    }
}
