namespace FaceNet.Net.Training;

/// <summary>
/// The learning rate of each epoch, a pure function of the epoch number (so a resumed run continues the same curve).
/// Immutable, thread-safe.
/// </summary>
public sealed record LearningRateSchedule
{
    /// <summary>The kind of schedule (default constant).</summary>
    public LearningRateScheduleKind Kind { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>For <see cref="LearningRateScheduleKind.Step"/>: epochs between decays (default 10).</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>For <see cref="LearningRateScheduleKind.Step"/>: the decay factor γ (default 0.1).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>For <see cref="LearningRateScheduleKind.Cosine"/>: the rate reached at the end (default 0).</summary>
    public double MinimumRate { get; init; }

    /// <summary>The rate for zero-based <paramref name="epoch"/> of <paramref name="totalEpochs"/>, from <paramref name="baseRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step size is below 1 or γ is not in (0, 1].</exception>
    public double RateAt(double baseRate, int epoch, int totalEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        switch (Kind)
        {
            case LearningRateScheduleKind.Constant:
                return baseRate;
            case LearningRateScheduleKind.Step:
                ArgumentOutOfRangeException.ThrowIfLessThan(StepEpochs, 1, nameof(StepEpochs));
                if (!(Gamma > 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "γ must be in (0, 1].");
                return baseRate * Math.Pow(Gamma, epoch / StepEpochs);
            case LearningRateScheduleKind.Cosine:
                double t = totalEpochs <= 1 ? 0 : Math.Min(1.0, (double)epoch / (totalEpochs - 1));
                return MinimumRate + (baseRate - MinimumRate) * 0.5 * (1 + Math.Cos(Math.PI * t));
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown schedule.");
        }
    }
}
