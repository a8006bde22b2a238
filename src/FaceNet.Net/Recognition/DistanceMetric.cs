namespace FaceNet.Net.Recognition;

/// <summary>How two embeddings are compared. Every metric is a distance: smaller means more alike.</summary>
public enum DistanceMetric
{
    /// <summary>‖a − b‖ on the L2-normalised embeddings (deepface calls this "euclidean_l2"). Range 0..2.</summary>
    Euclidean,

    /// <summary>‖a − b‖² on the L2-normalised embeddings (the quantity in the FaceNet triplet loss). Range 0..4.</summary>
    SquaredEuclidean,

    /// <summary>1 − cos(a, b). Range 0..2. On unit vectors it equals half the squared Euclidean distance.</summary>
    Cosine,
}
