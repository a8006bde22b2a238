using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Imaging;
using FaceNet.Net.Model;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet encode</c>: runs the network on images (or already-preprocessed raw NHWC float32 files) and prints
/// each input's raw output and its L2-normalised embedding. Images follow <see cref="FaceOptions"/>' rule (160x160:
/// an aligned crop; otherwise a photo whose largest face, facenet-pytorch's <c>select_largest</c>, is detected and cut
/// as facenet-pytorch does); the preprocessing is the weights' own unless <c>--preprocess</c> says otherwise.
/// </summary>
internal static class EncodeCommand
{
    /// <summary>Bytes of one raw input: 1 x 160 x 160 x 3 float32.</summary>
    public const int RawInputBytes = 160 * 160 * 3 * sizeof(float);

    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "Weights: a file (Keras .h5, PyTorch .pt, .safetensors) or a catalogue name fetched on first use (see 'facenet weights list')", Required = true };
        var preprocess = new Option<string?>("--preprocess")
        {
            Description = "How images are preprocessed: fixed, unit or prewhiten (default: the weights' own convention, else prewhiten)",
        };
        preprocess.AcceptOnlyFromAmong("fixed", "unit", "prewhiten");
        var rawNhwc = new Option<bool>("--raw-nhwc")
        {
            Description = "Inputs are little-endian float32 1x160x160x3 files, already preprocessed (fed as is)",
        };
        var mtcnn = RecognitionOptions.Mtcnn();
        var aligned = FaceOptions.Aligned();
        var detect = FaceOptions.Detect();
        var face = FaceOptions.Face(allowAll: true, "largest");
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var inputs = new Argument<string[]>("input") { Description = "Photos or aligned 160x160 face crops (or raw .f32 files with --raw-nhwc)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("encode", "Compute FaceNet embeddings: the raw network output and the L2-normalised embedding per face")
        {
            weights, preprocess, rawNhwc, mtcnn, aligned, detect, face, json, inputs,
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
            bool isAligned = parse.GetValue(aligned), isDetect = parse.GetValue(detect);
            FaceOptions.CheckKind(isAligned, isDetect);
            var choice = FaceOptions.ParseFace(parse.GetValue(face), allowAll: true) ?? FaceChoice.Largest;
            if (raw && (mtcnnFolder is not null || isAligned || isDetect || parse.GetValue(face) is not null))
                throw new UsageException("--mtcnn, --aligned, --detect and --face are about images; they cannot be combined with --raw-nhwc");
            var resolved = WeightsSource.ResolveWeights(parse, parse.GetValue(weights)!);
            mtcnnFolder = WeightsSource.ResolveMtcnn(parse, mtcnnFolder, useDefault: false);
            RecognitionOptions.CheckMtcnnFolder(mtcnnFolder);
            string weightsPath = resolved.Path;

            var results = new List<EmbeddingResult>();
            if (raw)
            {
                // One pass per file: a file's result does not depend on which other files are given.
                using var encoder = FaceEncoder.FromWeights(weightsPath, new FaceEncoderOptions { IncludeRaw = true });
                foreach (var file in files)
                {
                    var embedding = encoder.EncodePreprocessed(ReadRaw(file))[0];
                    results.Add(new EmbeddingResult(file, embedding.Raw!.Value.ToArray(), embedding.ToArray()));
                }
            }
            else
            {
                // The one default rule, as verify/enroll/identify: --preprocess, else the weights' own, else prewhiten.
                var options = new FaceEncoderOptions
                {
                    Preprocessing = RecognitionOptions.ParsePreprocess(parse.GetValue(preprocess)) ?? resolved.Preprocessing,
                    IncludeRaw = true,
                };
                using var encoder = mtcnnFolder is null || isAligned
                    ? FaceEncoder.FromWeights(weightsPath, options)
                    : FaceEncoder.FromWeights(weightsPath, mtcnnFolder, options);
                var reader = FaceOptions.Reader(encoder, isAligned, isDetect);
                foreach (var file in files)
                {
                    var faces = reader.Read(file, choice, oneFace: false);
                    try
                    {
                        var embeddings = encoder.EncodeBatch(faces.Select(f => f.Crop).ToList());
                        foreach (var (f, embedding) in faces.Zip(embeddings))
                            results.Add(new EmbeddingResult(file, embedding.Raw!.Value.ToArray(), embedding.ToArray(), f.Number, f.FacesFound, f.BoxArray));
                    }
                    finally
                    {
                        foreach (var f in faces) f.Dispose();
                    }
                }
            }

            if (parse.GetValue(json)) CliHost.WriteJson(new EncodeOutput(results));
            else
            {
                foreach (var r in results)
                {
                    Console.WriteLine(r.Box is null ? r.Input : $"{r.Input} face {r.Face} of {r.FacesFound}, box [{string.Join(", ", r.Box.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}]");
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

    /// <summary>One encoded face; for a photo also its number (1-based, most probable first), the photo's face count and the box.</summary>
    private sealed record EmbeddingResult(string Input, float[] Raw, float[] Normalized, int? Face = null, int? FacesFound = null, float[]? Box = null);

    /// <summary>One entry per encoded face, in input order.</summary>
    private sealed record EncodeOutput(IReadOnlyList<EmbeddingResult> Embeddings);
}
