namespace FaceNet.Net.Training;

/// <summary>The averages of one finished epoch. Immutable.</summary>
/// <param name="Epoch">The zero-based epoch.</param>
/// <param name="MeanLoss">The mean batch loss.</param>
/// <param name="MeanActiveFraction">The mean batch fraction of active triplets.</param>
/// <param name="LearningRate">The epoch's learning rate.</param>
/// <param name="CheckpointPath">The checkpoint written after the epoch, or null when none was.</param>
public sealed record EpochSummary(int Epoch, double MeanLoss, double MeanActiveFraction, double LearningRate, string? CheckpointPath);
