namespace FaceNet.Net.Training;

/// <summary>Everything that shapes a fine-tuning run. Immutable; <see cref="Validate"/> checks the ranges.</summary>
public sealed record TrainingOptions
{
    /// <summary>Total epochs of the run, counting those done before a resume (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Batches per epoch; null means each identity once per epoch (identities / P, at least 1).</summary>
    public int? BatchesPerEpoch { get; init; }

    /// <summary>P, identities per batch (default 8).</summary>
    public int IdentitiesPerBatch { get; init; } = 8;

    /// <summary>K, images per identity in a batch (default 4).</summary>
    public int ImagesPerIdentity { get; init; } = 4;

    /// <summary>The base learning rate (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The learning-rate schedule (default constant).</summary>
    public LearningRateSchedule Schedule { get; init; } = new();

    /// <summary>Adam or SGD (default Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>SGD momentum (default 0.9); ignored by Adam.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay (default 0).</summary>
    public double WeightDecay { get; init; }

    /// <summary>The triplet margin α (default 0.2).</summary>
    public float Margin { get; init; } = TripletLoss.DefaultMargin;

    /// <summary>The mining strategy (default semi-hard).</summary>
    public TripletMiningStrategy Miner { get; init; } = TripletMiningStrategy.SemiHard;

    /// <summary>Parameters whose name starts with one of these prefixes are frozen (e.g. <c>conv2d_1a</c> for the stem).</summary>
    public IReadOnlyList<string> FreezePrefixes { get; init; } = [];

    /// <summary>When not empty, only parameters whose name starts with one of these prefixes are trained (e.g. the head); all others are frozen.</summary>
    public IReadOnlyList<string> TrainOnlyPrefixes { get; init; } = [];

    /// <summary>The augmentation of training batches (default flip, crop with 4 px padding, colour jitter 0.2).</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>The seed of batch sampling, augmentation and TorchSharp's generator (default 0).</summary>
    public int Seed { get; init; }

    /// <summary>
    /// The device name: <c>cpu</c> (also null, the default), <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (the first CUDA
    /// device when CUDA is usable, else the CPU). A name that is not valid, or CUDA where it is not usable, fails with a
    /// <see cref="Devices.DeviceNotAvailableException"/> when training starts.
    /// </summary>
    public string? Device { get; init; }

    /// <summary>Where a checkpoint is written after each epoch; null writes none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>A checkpoint written by this trainer to continue from (model, optimiser state and epoch).</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Strings stored in every checkpoint, e.g. what network it holds, so a reader can rebuild it.</summary>
    public IReadOnlyDictionary<string, string> CheckpointMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        if (BatchesPerEpoch is < 1) throw new ArgumentOutOfRangeException(nameof(BatchesPerEpoch), BatchesPerEpoch, "At least one batch per epoch.");
        ArgumentOutOfRangeException.ThrowIfLessThan(IdentitiesPerBatch, 2, nameof(IdentitiesPerBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(ImagesPerIdentity, 2, nameof(ImagesPerIdentity));
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive and finite.");
        if (Momentum is < 0 or >= 1 || double.IsNaN(Momentum))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "The momentum must be in [0, 1).");
        if (WeightDecay < 0 || double.IsNaN(WeightDecay))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "The weight decay must be ≥ 0.");
        if (!(Margin > 0) || float.IsInfinity(Margin))
            throw new ArgumentOutOfRangeException(nameof(Margin), Margin, "The margin must be positive and finite.");
        if (!Enum.IsDefined(Miner)) throw new ArgumentOutOfRangeException(nameof(Miner), Miner, "Unknown miner.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        Schedule.RateAt(LearningRate, 0, Epochs);
        Augmentation.Validate();
    }
}
