// FaceNet.Net quick start: enrol aligned face crops, verify one, identify all.
// Usage: dotnet run -- <weights.h5|.safetensors> <folder of aligned face PNGs> [threshold]
// Exit codes: 0 done, 2 bad usage or input, 1 unexpected failure.
using System.Globalization;
using FaceNet.Net;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;

if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: <weights.h5|.safetensors> <folder of aligned face PNGs> [threshold]");
    return 2;
}
var threshold = VerificationThresholds.Euclidean;   // 0.7 on L2-normalised embeddings, the seed notebook's
if (args.Length == 3 && !float.TryParse(args[2], CultureInfo.InvariantCulture, out threshold))
{
    Console.Error.WriteLine($"threshold '{args[2]}' is not a number");
    return 2;
}
if (!Directory.Exists(args[1]))
{
    Console.Error.WriteLine($"face folder '{args[1]}' does not exist");
    return 2;
}

try
{
    // Load the weights (a published Keras .h5 or a converted .safetensors).
    using var encoder = FaceEncoder.FromWeights(args[0]);
    Console.WriteLine($"weights: {encoder.EmbeddingSize}-d, fingerprint {encoder.Fingerprint[..12]}, preprocessing {encoder.Preprocessing}");

    // One face per person; the file name is the person's name. The last one stays a stranger.
    var faces = Directory.GetFiles(args[1], "*.png").Order(StringComparer.Ordinal).ToArray();
    if (faces.Length < 3) throw new FaceNetException($"'{args[1]}' holds {faces.Length} PNG faces; at least 3 are needed.");
    var enrolled = faces[..^1];
    var stranger = faces[^1];

    // Enrol.
    using var gallery = new InMemoryFaceGallery(encoder);
    foreach (var face in enrolled)
        encoder.Enroll(gallery, Path.GetFileNameWithoutExtension(face), [face]);
    Console.WriteLine($"enrolled: {gallery.Count} identities");

    // Verify (1:1): is this face the claimed person?
    var first = Path.GetFileNameWithoutExtension(enrolled[0]);
    var second = Path.GetFileNameWithoutExtension(enrolled[1]);
    foreach (var claim in new[] { first, second })
    {
        var verdict = encoder.Verify(enrolled[0], gallery, claim, threshold: threshold);
        Console.WriteLine($"verify {first}.png as {claim}: {(verdict.IsMatch ? "match" : "no match")} " +
                          $"(distance {verdict.Distance:0.0000}, threshold {verdict.Threshold:0.00})");
    }

    // Identify (1:K): who is this? Unknown when nobody is within the threshold.
    foreach (var face in faces)
    {
        var who = encoder.WhoIsIt(face, gallery, threshold: threshold);
        Console.WriteLine($"identify {Path.GetFileName(face)}: {who.Identity ?? "unknown"} (distance {who.Distance:0.0000})");
    }
    return 0;
}
catch (Exception e) when (e is FaceNetException or FileNotFoundException)   // missing or broken weights or images: the message names the file
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"unexpected failure: {e}");
    return 1;
}
