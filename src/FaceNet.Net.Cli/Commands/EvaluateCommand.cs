using System.CommandLine;
using System.Globalization;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Evaluation;

namespace FaceNet.Net.Cli.Commands;

/// <summary><c>facenet evaluate</c>: the LFW verification protocol on a pairs file, from a model or from precomputed embeddings.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var pairs = new Option<string>("--pairs") { Description = "Pairs file in the LFW pairs.txt format", Required = true };
        var images = new Option<string?>("--images") { Description = "Image folder: <dir>/<name>/<name>_0001.jpg (or .png)" };
        var weights = new Option<string?>("--weights") { Description = "Embed the images with these weights (a 'facenet train' checkpoint)" };
        var embeddings = new Option<string?>("--embeddings") { Description = "Use precomputed embeddings: JSON object of relative image path -> number array" };
        var saveEmbeddings = new Option<string?>("--save-embeddings") { Description = "With --weights: also write the embeddings as a JSON file for --embeddings" };
        var roc = new Option<string?>("--roc") { Description = "Write the ROC curve to this PNG file" };
        var folds = new Option<int>("--folds") { Description = "Number of folds", DefaultValueFactory = _ => VerificationEvaluator.DefaultFolds };
        var far = new Option<double>("--far") { Description = "Target false accept rate for VAL", DefaultValueFactory = _ => VerificationEvaluator.DefaultTargetFar };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var preprocess = RecognitionOptions.Preprocess();
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("evaluate", "Verification accuracy (10-fold), VAL@FAR, AUC and EER on an LFW-style pairs file")
        {
            pairs, images, weights, embeddings, saveEmbeddings, roc, folds, far, device, preprocess, json,
        };
        command.SetAction(parse =>
        {
            string? weightsPath = parse.GetValue(weights), embeddingsPath = parse.GetValue(embeddings), imageRoot = parse.GetValue(images);
            if ((weightsPath is null) == (embeddingsPath is null))
                throw new UsageException("Give exactly one of --weights (embed the images) or --embeddings (precomputed).");
            if (weightsPath is not null && imageRoot is null) throw new UsageException("--weights needs --images, the image folder.");
            if (imageRoot is not null && !Directory.Exists(imageRoot)) throw new DirectoryNotFoundException($"Image folder '{imageRoot}' does not exist.");
            var savePath = parse.GetValue(saveEmbeddings);
            if (savePath is not null && weightsPath is null) throw new UsageException("--save-embeddings needs --weights.");
            var rocPath = parse.GetValue(roc);
            if (rocPath is not null && !Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(rocPath))))
                throw new DirectoryNotFoundException($"The folder of '{rocPath}' does not exist.");

            var file = LfwPairsFile.Load(parse.GetValue(pairs)!);
            var root = imageRoot ?? ".";
            IReadOnlyList<(float Distance, bool Same)> distances;
            if (embeddingsPath is not null)
                distances = PairDistances.Compute(file.Pairs, root, EmbeddingsFile.Lookup(EmbeddingsFile.Read(embeddingsPath), root));
            else
            {
                using var embedder = EmbeddingNetworks.OpenEmbedder(weightsPath!, parse.GetValue(device), RecognitionOptions.ParsePreprocess(parse.GetValue(preprocess)));
                distances = PairDistances.Compute(file.Pairs, root, paths =>
                {
                    var vectors = embedder.Embed(paths);
                    if (savePath is not null)
                        EmbeddingsFile.Write(savePath, paths.Select((path, i) => (Key: EmbeddingsFile.Key(Path.GetRelativePath(root, path)), Value: vectors[i]))
                            .ToDictionary(x => x.Key, x => x.Value));
                    return vectors;
                });
            }
            var m = VerificationEvaluator.Evaluate(distances, parse.GetValue(folds), parse.GetValue(far));
            if (rocPath is not null) RocCurveImage.Write(rocPath, m.Roc);

            if (parse.GetValue(json))
                CliHost.WriteJson(new EvaluateOutput(m.PairCount, m.SamePairCount, m.Folds, m.Accuracy, m.AccuracyStd, m.FoldAccuracies, m.BestThreshold,
                    m.BestThresholdAccuracy, m.TargetFar, m.Val, m.ValStd, m.Far, m.Auc, m.Eer, m.EerThreshold, rocPath));
            else
            {
                var c = CultureInfo.InvariantCulture;
                Console.WriteLine(string.Create(c, $"pairs            {m.PairCount} ({m.SamePairCount} matched) in {m.Folds} folds"));
                Console.WriteLine(string.Create(c, $"accuracy         {m.Accuracy:F4} ± {m.AccuracyStd:F4}"));
                Console.WriteLine(string.Create(c, $"best threshold   {m.BestThreshold:F4} (accuracy {m.BestThresholdAccuracy:F4} on all pairs)"));
                Console.WriteLine(string.Create(c, $"VAL @ FAR={m.TargetFar:G3}  {m.Val:F4} ± {m.ValStd:F4} (FAR {m.Far:F4})"));
                Console.WriteLine(string.Create(c, $"AUC              {m.Auc:F4}"));
                Console.WriteLine(string.Create(c, $"EER              {m.Eer:F4} (threshold {m.EerThreshold:F4})"));
                if (rocPath is not null) Console.WriteLine($"ROC curve        {rocPath}");
            }
            return CliHost.Success;
        });
        return command;
    }

    private sealed record EvaluateOutput(int Pairs, int MatchedPairs, int Folds, double Accuracy, double AccuracyStd, IReadOnlyList<double> FoldAccuracies,
        double BestThreshold, double BestThresholdAccuracy, double TargetFar, double Val, double ValStd, double Far, double Auc, double Eer, double EerThreshold, string? Roc);
}
