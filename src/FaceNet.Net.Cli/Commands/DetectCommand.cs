using FaceNet.Net.Imaging;
using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet detect --mtcnn DIR PHOTO...</c>: MTCNN face detection; prints boxes, probabilities and five landmarks
/// per face (or JSON), and optionally saves the aligned crops and a picture with the detections drawn.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var photos = new Argument<string[]>("photos") { Description = "Photos to search for faces (JPEG, PNG, ...)", Arity = ArgumentArity.OneOrMore };
        var mtcnn = new Option<string>("--mtcnn") { Description = "MTCNN weights: a folder holding pnet, rnet and onet (.safetensors, or legacy .pt), or the catalogue name mtcnn (fetched on first use)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var saveCrops = new Option<string?>("--save-crops") { Description = "Write each face's aligned crop as PNG into this folder (<photo>_<n>.png)" };
        var draw = new Option<string?>("--draw") { Description = "Write a PNG of the photo with boxes and landmarks drawn (with several photos, <name>-<photo>.png)" };
        var drawMaxSide = new Option<int?>("--draw-max-side") { Description = "Shrink the --draw picture so its longer side is at most this many pixels" };
        var minFace = new Option<double>("--min-face-size") { Description = "Smallest face side to look for, in pixels", DefaultValueFactory = _ => 20 };
        var margin = new Option<int>("--margin") { Description = "Margin around the box in the aligned crop, in crop pixels", DefaultValueFactory = _ => 0 };
        var cropSize = new Option<int>("--crop-size") { Description = "Side of the aligned crops in pixels", DefaultValueFactory = _ => 160 };
        var float32 = new Option<bool>("--float32") { Description = "Run the networks in float32: faster, boxes within ~2% of the float64 default" };

        var command = new Command("detect", "Find faces (boxes, probabilities, 5 landmarks) with MTCNN")
        {
            photos, mtcnn, json, saveCrops, draw, drawMaxSide, minFace, margin, cropSize, float32,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var options = new FaceDetectorOptions
            {
                MinFaceSize = parse.GetValue(minFace),
                Margin = parse.GetValue(margin),
                CropSize = parse.GetValue(cropSize),
                DoublePrecision = !parse.GetValue(float32),
            };
            var files = parse.GetValue(photos)!;
            var drawPath = parse.GetValue(draw);
            var maxSide = parse.GetValue(drawMaxSide);
            if (maxSide is < 16) throw new UsageException($"--draw-max-side must be at least 16 pixels, got {maxSide}.");
            var cropsFolder = parse.GetValue(saveCrops);
            if (cropsFolder is not null)
            {
                if (File.Exists(cropsFolder))
                    throw new UsageException($"--save-crops '{cropsFolder}' is a file: give a folder (it is created if missing)");
                Directory.CreateDirectory(cropsFolder);
            }

            using var detector = MtcnnFaceDetector.FromFolder(WeightsSource.ResolveMtcnn(parse, parse.GetValue(mtcnn)!, useDefault: true)!, options);
            var results = new List<PhotoResult>();
            foreach (var file in files)
            {
                using var image = ImageLoader.Load(file, options.ImageLoading);
                var faces = detector.Detect(image);
                results.Add(PhotoResult.From(file, image, faces));
                var name = Path.GetFileNameWithoutExtension(file);
                if (cropsFolder is not null)
                {
                    for (int k = 0; k < faces.Count; k++)
                    {
                        using var crop = detector.Align(image, faces[k]);
                        crop.SaveAsPng(Path.Combine(cropsFolder, $"{name}_{k}.png"));
                    }
                }
                if (drawPath is not null)
                {
                    var target = files.Length == 1 ? drawPath
                        : Path.Combine(Path.GetDirectoryName(drawPath) ?? "", $"{Path.GetFileNameWithoutExtension(drawPath)}-{name}.png");
                    using var picture = DetectionOverlay.Draw(image, faces, maxSide);
                    picture.SaveAsPng(target);
                }
            }

            if (parse.GetValue(json)) CliHost.WriteJson(new { Images = results });
            else
            {
                foreach (var r in results)
                {
                    Console.WriteLine($"{r.Path}: {r.Width}x{r.Height}, {r.Faces.Count} face(s)");
                    foreach (var f in r.Faces)
                        Console.WriteLine($"  box [{f.Box[0]:F1}, {f.Box[1]:F1}, {f.Box[2]:F1}, {f.Box[3]:F1}]  prob {f.Prob:F4}  " +
                                          $"eyes ({f.Landmarks[0][0]:F0},{f.Landmarks[0][1]:F0}) ({f.Landmarks[1][0]:F0},{f.Landmarks[1][1]:F0})");
                }
            }
            return CliHost.Success;
        });
        return command;
    }

    private sealed record FaceResult(float[] Box, float Prob, float[][] Landmarks);

    private sealed record PhotoResult(string File, string Path, int Width, int Height, IReadOnlyList<FaceResult> Faces)
    {
        public static PhotoResult From(string path, Image<Rgb24> image, IReadOnlyList<DetectedFace> faces) => new(
            System.IO.Path.GetFileName(path), path, image.Width, image.Height,
            faces.Select(f => new FaceResult(
                [f.Box.X1, f.Box.Y1, f.Box.X2, f.Box.Y2], f.Probability,
                f.Landmarks.Select(p => new[] { p.X, p.Y }).ToArray())).ToList());
    }
}
