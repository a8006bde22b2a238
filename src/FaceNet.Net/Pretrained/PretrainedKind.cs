namespace FaceNet.Net.Pretrained;

/// <summary>What a catalogue entry holds.</summary>
public enum PretrainedKind
{
    /// <summary>FaceNet (Inception-ResNet-v1) embedding weights: one file, loaded by <see cref="Embeddings.FaceEncoder.FromWeights(string, Embeddings.FaceEncoderOptions?)"/>.</summary>
    FaceNet,

    /// <summary>MTCNN face-detector weights: three files (<c>pnet</c>, <c>rnet</c>, <c>onet</c>) in one folder.</summary>
    Mtcnn,
}
