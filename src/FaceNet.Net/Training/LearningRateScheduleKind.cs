namespace FaceNet.Net.Training;

/// <summary>The shape of a <see cref="LearningRateSchedule"/>.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>The base rate throughout.</summary>
    Constant,

    /// <summary>The base rate times γ every <see cref="LearningRateSchedule.StepEpochs"/> epochs.</summary>
    Step,

    /// <summary>Cosine annealing from the base rate to <see cref="LearningRateSchedule.MinimumRate"/> over the run.</summary>
    Cosine,
}
