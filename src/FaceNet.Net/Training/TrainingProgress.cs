namespace FaceNet.Net.Training;

/// <summary>Reported after every optimisation step through <see cref="IProgress{T}"/>. Immutable.</summary>
/// <param name="Epoch">The zero-based epoch.</param>
/// <param name="Epochs">The total number of epochs of the run.</param>
/// <param name="Step">The zero-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps (batches) per epoch.</param>
/// <param name="Loss">The batch's triplet loss.</param>
/// <param name="ActiveFraction">The batch's fraction of active triplets (see <see cref="TripletLossResult.ActiveFraction"/>).</param>
/// <param name="Triplets">The number of triplets mined in the batch.</param>
/// <param name="LearningRate">The learning rate of the epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double ActiveFraction, int Triplets, double LearningRate);
