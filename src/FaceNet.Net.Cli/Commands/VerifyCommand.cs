using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet verify &lt;img1&gt; &lt;img2&gt;</c>: are two faces the same person? Or, with <c>--gallery g --name
/// person &lt;img&gt;</c>: is this face the enrolled person (the distance is the smallest over the person's enrolled
/// embeddings)? Each input is an aligned crop or a photo whose face is detected (<see cref="FaceOptions"/>); a photo
/// with several faces is refused unless <c>--face</c> picks one. Exit code 0 whenever the comparison ran, match or
/// not; the verdict is in the output (<c>isMatch</c>). 2 for bad input (an unknown person included), 1 for internal
/// failures.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CreateEncoder factory)
    {
        var image1 = new Argument<string>("image1") { Description = "First face: a photo or an aligned 160x160 face crop" };
        var image2 = new Argument<string?>("image2") { Description = "Second face: a photo or an aligned 160x160 face crop (not with --gallery)", Arity = ArgumentArity.ZeroOrOne };
        var gallery = new Option<string?>("--gallery") { Description = "Verify the face against a person enrolled in this gallery (a gallery file or a PostgreSQL gallery, as for identify) instead of a second image; needs --name" };
        var name = new Option<string?>("--name") { Description = "With --gallery: the enrolled person to verify against" };
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var aligned = FaceOptions.Aligned();
        var detect = FaceOptions.Detect();
        var face = FaceOptions.Face(allowAll: false, "a photo must hold exactly one face");
        var metric = RecognitionOptions.Metric();
        var threshold = RecognitionOptions.Threshold();
        var json = RecognitionOptions.Json();
        var command = new Command("verify", "Verify that two faces (photos or aligned crops) show the same person, or one face against a person enrolled in a gallery (exit code 0 either way; see isMatch)")
        {
            image1, image2, gallery, name, weights, preprocess, mtcnn, aligned, detect, face, metric, threshold, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var m = RecognitionOptions.ParseMetric(parse.GetValue(metric));
            var t = RecognitionOptions.ThresholdFor(parse.GetValue(threshold), parse.GetValue(weights), m);
            bool isAligned = parse.GetValue(aligned), isDetect = parse.GetValue(detect);
            FaceOptions.CheckKind(isAligned, isDetect);
            var choice = FaceOptions.ParseFace(parse.GetValue(face), allowAll: false);
            string a = parse.GetValue(image1)!;
            string? b = parse.GetValue(image2), galleryLocation = parse.GetValue(gallery), person = parse.GetValue(name);
            if (galleryLocation is null)
            {
                if (b is null) throw new UsageException("verify needs two images, or one image with --gallery and --name");
                if (person is not null) throw new UsageException("--name is for verifying against a gallery: give --gallery too");
            }
            else
            {
                if (b is not null) throw new UsageException($"verify with --gallery takes one image (got '{a}' and '{b}'): the second face is the enrolled person");
                if (string.IsNullOrEmpty(person)) throw new UsageException("verify with --gallery needs --name, the enrolled person to verify against");
            }
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse, parse.GetValue(weights), parse.GetValue(preprocess), isAligned ? null : parse.GetValue(mtcnn), useDefaultMtcnn: isAligned ? false : null);
            var reader = FaceOptions.Reader(encoder, isAligned, isDetect);
            // With --gallery the second face is the enrolled person: the smallest distance over their embeddings.
            var known = galleryLocation is null ? null : GalleryLocations.OpenToSearch(galleryLocation, encoder);
            using var release = known is null ? null : GalleryLocations.Releasing(known);
            var faces = new List<InputFace>();
            try
            {
                faces.AddRange(reader.Read(a, choice, oneFace: true));
                if (known is null) faces.AddRange(reader.Read(b!, choice, oneFace: true));
                var embeddings = encoder.EncodeBatch(faces.Select(f => f.Crop).ToList());
                var result = known is null
                    ? FaceVerifier.Verify(embeddings[0], embeddings[1], m, t)
                    : GalleryLocations.Wait(known.VerifyAsync(embeddings[0], person!, m, t));
                if (parse.GetValue(json))
                {
                    var used = faces.Select(f => new FaceOutput(f.File, f.BoxArray, f.Number, f.FacesFound)).ToList();
                    if (known is null) CliHost.WriteJson(new Output(a, b!, result.IsMatch, result.Distance, result.Threshold, RecognitionOptions.Name(m), used));
                    else CliHost.WriteJson(new GalleryOutput(a, person!, result.IsMatch, result.Distance, result.Threshold, RecognitionOptions.Name(m), used));
                }
                else
                {
                    var with = known is null ? "" : $" with {person}";
                    Console.WriteLine($"{(result.IsMatch ? "match" : "no match")}{with}: distance {result.Distance:0.0000} ({RecognitionOptions.Name(m)}, threshold {result.Threshold:0.####})");
                    foreach (var f in faces.Where(f => f.Box is not null)) Console.WriteLine($"  {f.File}:{f.BoxText}");
                }
            }
            finally
            {
                foreach (var f in faces) f.Dispose();
            }
            return CliHost.Success;
        });
        return command;
    }

    private sealed record GalleryOutput(string Image, string Identity, bool IsMatch, float Distance, float Threshold, string Metric, IReadOnlyList<FaceOutput> Faces);

    /// <summary>The face used from one input: its box, number and the photo's face count (absent for an aligned crop).</summary>
    private sealed record FaceOutput(string Image, float[]? Box, int? Face, int? FacesFound);

    private sealed record Output(string Image1, string Image2, bool IsMatch, float Distance, float Threshold, string Metric, IReadOnlyList<FaceOutput> Faces);
}
