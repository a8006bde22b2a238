namespace FaceNet.Net;

/// <summary>The floating-point type the network computes in. Inputs are cast to it and embeddings come back as float32 whatever it is.</summary>
public enum Precision
{
    /// <summary>32-bit floats: the default, the precision the reference values are checked in (within 1e-5).</summary>
    Float32 = 0,

    /// <summary>16-bit IEEE floats: for CUDA devices (tensor cores, half the weight memory); slow on the CPU.</summary>
    Float16 = 1,

    /// <summary>
    /// bfloat16: for CUDA devices, and CPUs with the AVX-512 BF16 instructions, where it is faster than float32.
    /// Unit embeddings stay within about 2e-3 of float32's (docs/performance.md); do not mix them with float32 ones in tight comparisons.
    /// </summary>
    BFloat16 = 2,

    /// <summary>
    /// Chosen when the model is loaded: <see cref="BFloat16"/> on a CPU with the AVX-512 BF16 instructions (where bfloat16
    /// runs natively and is faster than float32), <see cref="Float32"/> on every other CPU and on CUDA devices. Opt-in: the
    /// embeddings then carry bfloat16's error where it picks bfloat16 (docs/performance.md). The loaded model's
    /// <c>Precision</c> reports the choice.
    /// </summary>
    Auto = 3,

    /// <summary>
    /// 8-bit integers on the CPU, opt-in: the network's body (everything after the stem) convolves unsigned 8-bit
    /// activations with signed 8-bit weights on oneDNN (VNNI instructions where the CPU has them); the stem, the
    /// pooling and the head stay float32. Faster than float32 at every batch size (docs/performance.md); on a CPU with
    /// native BF16, <see cref="BFloat16"/> measured as fast or faster and closer to float32, so int8 is for CPUs
    /// without it. Weights are quantized per output channel on the first pass; each convolution's input is quantized
    /// with one scale per pass, taken from the batch it is in, so an image's embedding depends slightly (up to 4.2e-3
    /// measured) on the images encoded with it. Unit embeddings stay within 1e-2 of float32's (up to 4.6e-3 measured
    /// on the reference faces, no verification decision changed); do not mix them with float32 ones in tight
    /// comparisons. CPU only, on the oneDNN backend: loading a model in int8 elsewhere throws
    /// <see cref="ArgumentException"/>.
    /// </summary>
    Int8 = 4,
}
