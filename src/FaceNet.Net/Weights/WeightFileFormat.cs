namespace FaceNet.Net.Weights;

/// <summary>The formats <see cref="Model.FaceNetModel.Load"/> reads, told apart by their first bytes.</summary>
public enum WeightFileFormat
{
    /// <summary>Keras 2 HDF5 weights (<c>save_weights</c> file, or a full model with a <c>model_weights</c> group).</summary>
    KerasH5,

    /// <summary>safetensors with FaceNet.Net's tensor names (written by <c>facenet-convert</c>).</summary>
    Safetensors,
}
