using System.Globalization;
using System.Text.Json;
using FaceNet.Net.Devices;
using FaceNet.Net.Imaging;
using FaceNet.Net.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceNet.Net.Training;

/// <summary>
/// Fine-tunes any embedding network (<c>Module&lt;Tensor, Tensor&gt;</c>: N x 3 x S x S images to N x D embeddings)
/// with the triplet loss on P x K batches: seeded sampling and augmentation, Adam or SGD, a learning-rate schedule,
/// parameter freezing by name prefix, a safetensors checkpoint after every epoch, resume, and progress reports.
/// </summary>
/// <remarks>
/// <para>Deterministic for a seed on the CPU: batches and augmentation depend only on (seed, epoch, step), and
/// TorchSharp's global generator is seeded with (seed, epoch) at each epoch start (for dropout). That global seeding
/// affects other TorchSharp users in the process. CUDA kernels may add nondeterminism, and so can libtorch's
/// multi-threaded CPU kernels on degenerate layer sizes (seen with 2-channel convolutions on 2 threads); call
/// <c>torch.set_num_threads(1)</c> for bit-exact runs. A non-finite loss stops training with a <see cref="FaceNetException"/>.</para>
/// <para>The trainer moves the model to the chosen device and leaves it there in training mode; it does not own the
/// model. Not thread-safe: one <see cref="Train"/> at a time.</para>
/// </remarks>
public sealed class EmbeddingTrainer
{
    private const string EpochKey = "epochsCompleted";
    private const string OptimizerKey = "optimizer";
    private const string OptionsKey = "trainingOptions";
    private const string OptimizerStateTensor = "__optimizer_state__";
    private const string ModelPrefix = "model.";

    private readonly nn.Module<Tensor, Tensor> _model;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public EmbeddingTrainer(nn.Module<Tensor, Tensor> model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _model = model;
        Options = options;
    }

    /// <summary>The options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Trains for the remaining epochs (all of them, or those after <see cref="TrainingOptions.ResumeFrom"/>).</summary>
    /// <param name="dataset">The identities to train on.</param>
    /// <param name="progress">Receives one report per step (called on the training thread).</param>
    /// <param name="cancellationToken">Stops between steps; the last complete epoch's checkpoint stays valid.</param>
    /// <returns>Per-epoch summaries.</returns>
    /// <exception cref="FaceNetException">The dataset cannot fill P x K batches, a freeze prefix matches nothing, or the
    /// resume checkpoint does not fit the model or the options.</exception>
    /// <exception cref="DeviceNotAvailableException"><see cref="TrainingOptions.Device"/> is not valid or not available.</exception>
    public TrainingResult Train(IIdentityDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        FaceNetRuntime.EnsureInitialized();
        var o = Options;
        var device = DeviceResolver.Resolve(o.Device);
        var sampler = new PkBatchSampler(dataset, o.IdentitiesPerBatch, o.ImagesPerIdentity, o.Seed);
        int steps = o.BatchesPerEpoch ?? sampler.DefaultBatchesPerEpoch;

        _model.to(device);
        var trainable = ParameterFreezer.Apply(_model, o.FreezePrefixes, o.TrainOnlyPrefixes);
        long trainableCount = trainable.Sum(p => p.numel());
        long frozenCount = _model.parameters().Sum(p => p.numel()) - trainableCount;
        using var optimizer = CreateOptimizer(trainable);
        using var loss = new TripletLoss(o.Margin, o.Miner);
        var augmenter = new TensorAugmenter(o.Augmentation);

        int startEpoch = o.ResumeFrom is null ? 0 : Resume(o.ResumeFrom, optimizer, device);
        var summaries = new List<EpochSummary>();
        for (int epoch = startEpoch; epoch < o.Epochs; epoch++)
        {
            double rate = o.Schedule.RateAt(o.LearningRate, epoch, o.Epochs);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            torch.manual_seed(PkBatchSampler.DeriveSeed(o.Seed, epoch, 1));
            _model.train();
            ParameterFreezer.FreezeStatistics(_model);

            double lossSum = 0, activeSum = 0;
            int step = 0;
            foreach (var batch in sampler.Epoch(epoch, steps))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var images = stack(Enumerable.Range(0, batch.Count).Select(i => dataset.LoadImage(batch.Identities[i], batch.Images[i]))).to(device);
                var input = augmenter.Apply(images, new Random(PkBatchSampler.DeriveSeed(o.Seed, epoch, step, 2)));
                optimizer.zero_grad();
                using var result = loss.Compute(_model.forward(input), batch.Identities);
                double value = result.LossValue;
                if (!double.IsFinite(value))
                    throw new FaceNetException($"Training diverged: the loss is {value} at epoch {epoch + 1}, step {step + 1}. Lower the learning rate, or resume from the last checkpoint.");
                if (result.Loss.requires_grad)
                {
                    result.Loss.backward();
                    optimizer.step();
                }
                lossSum += value;
                activeSum += result.ActiveFraction;
                progress?.Report(new TrainingProgress(epoch, o.Epochs, step, steps, value, result.ActiveFraction, result.Triplets.Count, rate));
                step++;
            }

            string? checkpoint = null;
            if (o.CheckpointDirectory is not null)
            {
                checkpoint = Path.Combine(o.CheckpointDirectory, string.Create(CultureInfo.InvariantCulture, $"checkpoint-epoch-{epoch + 1:D4}.safetensors"));
                SaveCheckpoint(checkpoint, optimizer, epoch + 1, dataset.Preprocessing);
            }
            summaries.Add(new EpochSummary(epoch, lossSum / steps, activeSum / steps, rate, checkpoint));
        }
        return new TrainingResult(startEpoch, summaries, trainableCount, frozenCount);
    }

    /// <summary>Loads only the model weights of a checkpoint written by this trainer (to start a new run from them).</summary>
    /// <param name="model">The network; it must have the same parameter names and shapes.</param>
    /// <param name="checkpointPath">The checkpoint.</param>
    /// <exception cref="FaceNetException">The file is not a trainer checkpoint or does not fit the model.</exception>
    public static void LoadModelWeights(nn.Module<Tensor, Tensor> model, string checkpointPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var checkpoint = TrainingCheckpoint.Read(checkpointPath);
        LoadModelState(model, checkpoint, checkpointPath);
    }

    private torch.optim.Optimizer CreateOptimizer(IReadOnlyList<Parameter> parameters) => Options.Optimizer switch
    {
        OptimizerKind.Adam => torch.optim.Adam(parameters, Options.LearningRate, weight_decay: Options.WeightDecay),
        OptimizerKind.Sgd => torch.optim.SGD(parameters, Options.LearningRate, momentum: Options.Momentum, weight_decay: Options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(Options.Optimizer)),
    };

    private void SaveCheckpoint(string path, torch.optim.Optimizer optimizer, int epochsCompleted, PreprocessingMode? preprocessing)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in _model.state_dict()) tensors[ModelPrefix + name] = t;
        using (var ms = new MemoryStream())
        {
            using (var writer = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
                ((OptimizerHelper)optimizer).save_state_dict(writer);
            tensors[OptimizerStateTensor] = tensor(ms.ToArray());
        }
        var metadata = new Dictionary<string, string>(Options.CheckpointMetadata, StringComparer.Ordinal)
        {
            [TrainingCheckpoint.FormatKey] = TrainingCheckpoint.FormatTag,
            [EpochKey] = epochsCompleted.ToString(CultureInfo.InvariantCulture),
            [OptimizerKey] = Options.Optimizer.ToString(),
            [OptionsKey] = JsonSerializer.Serialize(new
            {
                Options.Epochs, Options.IdentitiesPerBatch, Options.ImagesPerIdentity, Options.LearningRate,
                Options.Margin, Miner = Options.Miner.ToString(), Options.Seed, Options.FreezePrefixes, Options.TrainOnlyPrefixes,
            }),
        };
        // What the images were preprocessed with, so the checkpoint is embedded the way it was trained (TrainableNetworks.PreprocessingOf).
        if (preprocessing is PreprocessingMode mode) metadata[SafetensorsMetadata.Preprocessing] = PreprocessingModeNames.ToName(mode);
        TrainingCheckpoint.Write(path, tensors, metadata);
    }

    private int Resume(string path, torch.optim.Optimizer optimizer, Device device)
    {
        using var checkpoint = TrainingCheckpoint.Read(path);
        if (checkpoint.RequireMetadata(OptimizerKey) != Options.Optimizer.ToString())
            throw new FaceNetException($"Checkpoint '{path}' was trained with {checkpoint.Metadata[OptimizerKey]}, not {Options.Optimizer}; resume with the same optimizer.");
        if (!int.TryParse(checkpoint.RequireMetadata(EpochKey), NumberStyles.None, CultureInfo.InvariantCulture, out int epochs))
            throw new FaceNetException($"Checkpoint '{path}' has an invalid epoch count '{checkpoint.Metadata[EpochKey]}'.");
        LoadModelState(_model, checkpoint, path);
        _model.to(device);
        if (!checkpoint.Tensors.TryGetValue(OptimizerStateTensor, out var state))
            throw new FaceNetException($"Checkpoint '{path}' holds no optimizer state; use it as initial weights instead of resuming.");
        using var ms = new MemoryStream(state.data<byte>().ToArray());
        using var reader = new BinaryReader(ms);
        try
        {
            ((OptimizerHelper)optimizer).load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            throw new FaceNetException($"The optimizer state in checkpoint '{path}' does not fit this model and freeze settings: {e.Message}", e);
        }
        return epochs;
    }

    private static void LoadModelState(nn.Module<Tensor, Tensor> model, TrainingCheckpoint checkpoint, string path)
    {
        if (checkpoint.RequireMetadata(TrainingCheckpoint.FormatKey) != TrainingCheckpoint.FormatTag)
            throw new FaceNetException($"Checkpoint '{path}' has format '{checkpoint.Metadata[TrainingCheckpoint.FormatKey]}', expected '{TrainingCheckpoint.FormatTag}'.");
        var expected = model.state_dict();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in checkpoint.Tensors)
            if (name.StartsWith(ModelPrefix, StringComparison.Ordinal)) state[name[ModelPrefix.Length..]] = t;
        Weights.WeightMismatch.Between(expected.Select(p => (p.Key, p.Value.shape)), state.Select(p => (p.Key, p.Value.shape)))
            .ThrowIfAny(path, "the model");
        using (no_grad())
            foreach (var (name, t) in expected) t.copy_(state[name].to(t.dtype));
    }
}
