namespace FaceNet.Net.Training;

/// <summary>What a call to <see cref="EmbeddingTrainer.Train"/> did. Immutable.</summary>
/// <param name="StartEpoch">The first epoch run (greater than 0 after a resume).</param>
/// <param name="Epochs">One summary per epoch run in this call.</param>
/// <param name="TrainableParameters">The number of trainable (not frozen) parameter values.</param>
/// <param name="FrozenParameters">The number of frozen parameter values.</param>
public sealed record TrainingResult(int StartEpoch, IReadOnlyList<EpochSummary> Epochs, long TrainableParameters, long FrozenParameters);
