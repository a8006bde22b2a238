namespace FaceNet.Net.Weights;

/// <summary>The formats <see cref="Model.FaceNetModel.Load"/> reads, told apart by their first bytes (never by the file name).</summary>
public enum WeightFileFormat
{
    /// <summary>Keras 2 HDF5 weights (<c>save_weights</c> file, or a full model with a <c>model_weights</c> group).</summary>
    KerasH5,

    /// <summary>safetensors with FaceNet.Net's tensor names (written by <c>facenet-convert</c>).</summary>
    Safetensors,

    /// <summary>
    /// A facenet-pytorch <c>InceptionResnetV1</c> state dict saved by <c>torch.save</c> (<c>.pt</c>), in the legacy
    /// (non-zip) or the zip format, read by a restricted unpickler that never executes the pickle.
    /// </summary>
    PyTorch,
}
