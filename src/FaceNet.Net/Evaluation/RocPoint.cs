namespace FaceNet.Net.Evaluation;

/// <summary>One point of a ROC curve: at <paramref name="Threshold"/>, pairs closer than it are called "same". Immutable.</summary>
/// <param name="Threshold">The distance threshold.</param>
/// <param name="FalsePositiveRate">Mismatched pairs called same, over all mismatched pairs (FAR).</param>
/// <param name="TruePositiveRate">Matched pairs called same, over all matched pairs (VAL, recall).</param>
public readonly record struct RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);
