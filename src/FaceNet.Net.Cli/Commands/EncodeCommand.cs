using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;
using static TorchSharp.torch;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet encode</c>: runs the network on images (or already-preprocessed raw NHWC float32 files) and prints
/// each input's raw output and its L2-normalised embedding.
/// </summary>
internal static class EncodeCommand
{
    /// <summary>Bytes of one raw input: 1 x 160 x 160 x 3 float32.</summary>
    public const int RawInputBytes = 160 * 160 * 3 * sizeof(float);

    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "Weights: a file (Keras .h5, .safetensors) or a catalogue name fetched on first use (see 'facenet weights list')", Required = true };
        var preprocess = new Option<string?>("--preprocess")
        {
            Description = "How images are preprocessed: fixed, unit or prewhiten (default: what the weights record)",
        };
        preprocess.AcceptOnlyFromAmong("fixed", "unit", "prewhiten");
        var rawNhwc = new Option<bool>("--raw-nhwc")
        {
            Description = "Inputs are little-endian float32 1x160x160x3 files, already preprocessed (fed as is)",
        };
        var mtcnn = RecognitionOptions.Mtcnn();
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var inputs = new Argument<string[]>("input") { Description = "Image files (or raw .f32 files with --raw-nhwc)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("encode", "Compute FaceNet embeddings: the raw network output and the L2-normalised embedding per input")
        {
            weights, preprocess, rawNhwc, mtcnn, json, inputs,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var files = parse.GetValue(inputs) ?? [];
            bool raw = parse.GetValue(rawNhwc);
            foreach (var f in files)
                if (!File.Exists(f)) throw new FileNotFoundException($"input '{f}' not found", f);
            if (raw) foreach (var f in files) ReadRaw(f); // validate every size before the slow load
            var mtcnnFolder = parse.GetValue(mtcnn);
            if (raw && mtcnnFolder is not null) throw new UsageException("--mtcnn detects faces in photos; it cannot be combined with --raw-nhwc");
            var resolved = WeightsSource.ResolveWeights(parse, parse.GetValue(weights)!);
            mtcnnFolder = WeightsSource.ResolveMtcnn(parse, mtcnnFolder, useDefault: false);

            using var model = FaceNetModel.Load(resolved.Path);
            PreprocessingMode? mode = null;
            if (!raw)
            {
                var name = parse.GetValue(preprocess) ?? model.ExpectedPreprocessing
                    ?? (resolved.Preprocessing is { } catalogued ? PreprocessingModeNames.ToName(catalogued) : null)
                    ?? throw new UsageException("the weights do not record their preprocessing: pass --preprocess fixed|unit|prewhiten");
                mode = PreprocessingModeNames.Parse(name);
            }

            var results = new List<EmbeddingResult>();
            if (raw)
            {
                foreach (var file in files)
                {
                    using var input = FaceInput.FromNhwc(ReadRaw(file));
                    using var output = model.Forward(input);
                    var values = output.data<float>().ToArray();
                    results.Add(new EmbeddingResult(file, values, FaceEmbedding.FromValues(values, file).ToArray()));
                }
            }
            else
            {
                using var detector = mtcnnFolder is null ? null : MtcnnFaceDetector.FromFolder(mtcnnFolder);
                using var encoder = new FaceEncoder(model, new FaceEncoderOptions { Preprocessing = mode, IncludeRaw = true, Detector = detector }, ownsNetwork: false);
                foreach (var (file, embedding) in files.Zip(encoder.EncodeBatch(files)))
                    results.Add(new EmbeddingResult(file, embedding.Raw!.Value.ToArray(), embedding.ToArray()));
            }

            if (parse.GetValue(json)) CliHost.WriteJson(new EncodeOutput(results));
            else
            {
                foreach (var r in results)
                {
                    Console.WriteLine(r.Input);
                    Console.WriteLine("  raw        " + Format(r.Raw));
                    Console.WriteLine("  normalized " + Format(r.Normalized));
                }
            }
            return CliHost.Success;
        });
        return command;
    }

    /// <summary>Reads a raw input file, checking its size.</summary>
    private static float[] ReadRaw(string path)
    {
        var length = new FileInfo(path).Length;
        if (length != RawInputBytes)
            throw new UsageException($"'{path}' has {length} bytes; a raw NHWC input must be exactly {RawInputBytes} (1x160x160x3 float32)");
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        return values;
    }

    private static string Format(float[] v) => string.Join(" ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));

    private sealed record EmbeddingResult(string Input, float[] Raw, float[] Normalized);

    private sealed record EncodeOutput(IReadOnlyList<EmbeddingResult> Embeddings);
}
