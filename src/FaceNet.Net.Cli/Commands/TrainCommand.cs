using System.CommandLine;
using System.Globalization;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Training;

namespace FaceNet.Net.Cli.Commands;

/// <summary><c>facenet train</c>: fine-tune an embedding network with the triplet loss on a folder of identities.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "Folder with one sub-folder of .png/.jpg images per identity" };
        var weights = new Option<string?>("--weights") { Description = "Initial weights: a checkpoint written by 'facenet train' (default: a fresh compact network)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run saved in this checkpoint (model, optimizer state, epoch)" };
        var epochs = new Option<int>("--epochs") { Description = "Total epochs", DefaultValueFactory = _ => 10 };
        var batches = new Option<int?>("--batches-per-epoch") { Description = "Batches per epoch (default: identities / P)" };
        var p = new Option<int>("--batch-identities", "-P") { Description = "Identities per batch (P)", DefaultValueFactory = _ => 8 };
        var k = new Option<int>("--images-per-identity", "-K") { Description = "Images per identity in a batch (K)", DefaultValueFactory = _ => 4 };
        var lr = new Option<double>("--lr") { Description = "Base learning rate", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var schedule = new Option<string>("--schedule") { Description = "constant, step or cosine", DefaultValueFactory = _ => "constant" };
        schedule.AcceptOnlyFromAmong("constant", "step", "cosine");
        var stepEpochs = new Option<int>("--step-epochs") { Description = "Step schedule: epochs between decays", DefaultValueFactory = _ => 10 };
        var gamma = new Option<double>("--gamma") { Description = "Step schedule: decay factor", DefaultValueFactory = _ => 0.1 };
        var miner = new Option<string>("--miner") { Description = "semihard or batchhard", DefaultValueFactory = _ => "semihard" };
        miner.AcceptOnlyFromAmong("semihard", "batchhard");
        var margin = new Option<float>("--margin") { Description = "Triplet margin α", DefaultValueFactory = _ => TripletLoss.DefaultMargin };
        var freeze = new Option<string[]>("--freeze") { Description = "Freeze parameters whose name starts with this prefix (repeatable)" };
        var trainOnly = new Option<string[]>("--train-only") { Description = "Train only parameters whose name starts with this prefix (repeatable)" };
        var noFlip = new Option<bool>("--no-flip") { Description = "Disable random horizontal flips" };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, sampling and augmentation", DefaultValueFactory = _ => 0 };
        var checkpointDir = new Option<string?>("--checkpoint-dir") { Description = "Write a checkpoint here after every epoch" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var preprocess = RecognitionOptions.Preprocess();
        var imageSize = new Option<int>("--image-size") { Description = "Fresh network: input side in pixels", DefaultValueFactory = _ => 64 };
        var embeddingSize = new Option<int>("--embedding-size") { Description = "Fresh network: embedding length", DefaultValueFactory = _ => 64 };
        var width = new Option<int>("--width") { Description = "Fresh network: channels of the first layer", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };

        var command = new Command("train", "Fine-tune an embedding network with the triplet loss (online semi-hard or batch-hard mining)")
        {
            dataset, weights, resume, epochs, batches, p, k, lr, optimizer, schedule, stepEpochs, gamma, miner, margin,
            freeze, trainOnly, noFlip, seed, checkpointDir, device, preprocess, imageSize, embeddingSize, width, json,
        };
        command.SetAction(parse =>
        {
            string? weightsPath = parse.GetValue(weights), resumePath = parse.GetValue(resume);
            if (weightsPath is not null && resumePath is not null)
                throw new UsageException("Use either --weights (start from these weights) or --resume (continue that run), not both.");
            var loaded = resumePath ?? weightsPath;
            var model = loaded is not null
                ? EmbeddingNetworks.FromWeights(loaded)
                : EmbeddingNetworks.Fresh(parse.GetValue(embeddingSize), parse.GetValue(width), parse.GetValue(imageSize), parse.GetValue(seed));
            using var network = model.Network;
            var mode = RecognitionOptions.ParsePreprocess(parse.GetValue(preprocess)) ?? model.Preprocessing;
            var data = new ImageFolderDataset(parse.GetValue(dataset)!, model.InputSize, mode);
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchesPerEpoch = parse.GetValue(batches),
                IdentitiesPerBatch = parse.GetValue(p),
                ImagesPerIdentity = parse.GetValue(k),
                LearningRate = parse.GetValue(lr),
                Optimizer = parse.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam,
                Schedule = new LearningRateSchedule { Kind = Enum.Parse<LearningRateScheduleKind>(parse.GetValue(schedule)!, ignoreCase: true), StepEpochs = parse.GetValue(stepEpochs), Gamma = parse.GetValue(gamma) },
                Miner = parse.GetValue(miner) == "batchhard" ? TripletMiningStrategy.BatchHard : TripletMiningStrategy.SemiHard,
                Margin = parse.GetValue(margin),
                FreezePrefixes = parse.GetValue(freeze) ?? [],
                TrainOnlyPrefixes = parse.GetValue(trainOnly) ?? [],
                Augmentation = parse.GetValue(noFlip) ? new AugmentationOptions { FlipProbability = 0 } : new AugmentationOptions(),
                Seed = parse.GetValue(seed),
                Device = parse.GetValue(device)!,
                CheckpointDirectory = parse.GetValue(checkpointDir),
                ResumeFrom = resumePath,
                CheckpointMetadata = model.Metadata,
            };
            bool asJson = parse.GetValue(json);
            var printer = new EpochPrinter(asJson,
                $"dataset {data.Root}: {data.IdentityCount} identities, {Enumerable.Range(0, data.IdentityCount).Sum(data.ImageCount)} images, {model.InputSize}x{model.InputSize}");
            var result = new EmbeddingTrainer(network, options).Train(data, printer);
            if (asJson)
                CliHost.WriteJson(new TrainOutput(data.IdentityCount, result.StartEpoch, result.TrainableParameters, result.FrozenParameters,
                    result.Epochs.Select(e => new EpochOutput(e.Epoch + 1, e.MeanLoss, e.MeanActiveFraction, e.LearningRate, e.CheckpointPath)).ToList()));
            else
                Console.WriteLine($"done: {result.Epochs.Count} epoch(s) from epoch {result.StartEpoch + 1}; {result.TrainableParameters} trainable, {result.FrozenParameters} frozen parameters");
            return CliHost.Success;
        });
        return command;
    }

    /// <summary>Prints a header once training has started, then one line per finished epoch (runs on the training thread).</summary>
    private sealed class EpochPrinter(bool quiet, string header) : IProgress<TrainingProgress>
    {
        private double _loss, _active;
        private bool _started;

        public void Report(TrainingProgress value)
        {
            if (!quiet && !_started) Console.WriteLine(header);
            _started = true;
            if (value.Step == 0) (_loss, _active) = (0, 0);
            _loss += value.Loss;
            _active += value.ActiveFraction;
            if (quiet || value.Step != value.StepsPerEpoch - 1) return;
            int n = value.StepsPerEpoch;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {value.Epoch + 1,3}/{value.Epochs}  loss {_loss / n:F4}  active {_active / n:F3}  lr {value.LearningRate:G4}"));
        }
    }

    private sealed record EpochOutput(int Epoch, double Loss, double ActiveFraction, double LearningRate, string? Checkpoint);

    private sealed record TrainOutput(int Identities, int StartEpoch, long TrainableParameters, long FrozenParameters, IReadOnlyList<EpochOutput> Epochs);
}
