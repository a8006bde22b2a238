using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet enroll --gallery g --name n &lt;img&gt;...</c> or <c>facenet enroll --gallery g --from-folders dir</c>
/// (one subfolder per person, named after them). Creates the gallery when it does not exist; a name already in it is
/// refused unless <c>--append</c> is given (then the new embeddings are added to that person's). Every image is
/// encoded before the gallery is touched, and the file is replaced atomically (a PostgreSQL gallery, <see cref="GalleryLocations"/>,
/// is written in one transaction): a failed enrol leaves it as it was.
/// </summary>
internal static class EnrollCommand
{
    /// <summary>File extensions taken from person folders (case-insensitive); other files are skipped.</summary>
    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tga", ".webp"];

    public static Command Create(CreateEncoder factory)
    {
        var images = new Argument<string[]>("images") { Description = "Face images of the person (with --name)", Arity = ArgumentArity.ZeroOrMore };
        var gallery = RecognitionOptions.Gallery();
        var name = new Option<string?>("--name") { Description = "The person's name" };
        var folders = new Option<string?>("--from-folders") { Description = "Folder with one subfolder of images per person" };
        var weights = RecognitionOptions.Weights();
        var preprocess = RecognitionOptions.Preprocess();
        var mtcnn = RecognitionOptions.Mtcnn();
        var aligned = FaceOptions.Aligned();
        var detect = FaceOptions.Detect();
        var face = FaceOptions.Face(allowAll: false, "a photo must hold exactly one face");
        var append = new Option<bool>("--append") { Description = "Add the images to a person already in the gallery (without it, enrolling an existing name is refused)" };
        var json = RecognitionOptions.Json();
        var command = new Command("enroll", "Add people to a gallery from photos or aligned face crops (creates the gallery if needed)")
        {
            images, gallery, name, folders, weights, preprocess, mtcnn, aligned, detect, face, append, json,
        };
        command.WithFetchOptions();
        command.SetAction(parse =>
        {
            var plan = Plan(parse.GetValue(name), parse.GetValue(images) ?? [], parse.GetValue(folders));
            string galleryPath = parse.GetValue(gallery)!;
            bool isAligned = parse.GetValue(aligned), isDetect = parse.GetValue(detect);
            FaceOptions.CheckKind(isAligned, isDetect);
            var choice = FaceOptions.ParseFace(parse.GetValue(face), allowAll: false);
            using var encoder = RecognitionOptions.OpenEncoder(factory, parse, parse.GetValue(weights), parse.GetValue(preprocess), isAligned ? null : parse.GetValue(mtcnn), useDefaultMtcnn: isAligned ? false : null);
            bool database = GalleryLocations.IsDatabase(galleryPath);
            if (!database) GalleryLocations.CheckFileTarget(galleryPath, "--gallery");
            IFaceGallery faces = database ? GalleryLocations.OpenDatabase(galleryPath, encoder)
                : File.Exists(galleryPath) ? InMemoryFaceGallery.Load(galleryPath, encoder) : new InMemoryFaceGallery(encoder);
            using var release = GalleryLocations.Releasing(faces);
            if (!parse.GetValue(append))
            {
                var existing = plan.Select(p => p.Name).Where(n => GalleryLocations.Wait(faces.ContainsAsync(n))).ToList();
                if (existing.Count > 0)
                    throw new UsageException($"'{existing[0]}' is already in gallery '{GalleryLocations.Display(galleryPath)}': add --append to add these images to them, "
                        + "or 'facenet gallery remove' them first");
            }

            var all = plan.SelectMany(p => p.Images).ToList();
            var reader = FaceOptions.Reader(encoder, isAligned, isDetect);
            var embeddings = new List<Embeddings.FaceEmbedding>(all.Count);
            using (var progress = ProgressBar.ForItems(all.Count, "encoding"))
            {
                // In chunks, so only one chunk of crops is in memory; the gallery is written only after every image succeeded.
                for (int start = 0; start < all.Count; start += Embeddings.FaceEncoderOptions.DefaultBatchSize)
                {
                    var crops = new List<InputFace>();
                    try
                    {
                        foreach (var path in all.Skip(start).Take(Embeddings.FaceEncoderOptions.DefaultBatchSize))
                            crops.AddRange(reader.Read(path, choice, oneFace: true));
                        embeddings.AddRange(encoder.EncodeBatch(crops.Select(c => c.Crop).ToList()));
                    }
                    finally
                    {
                        foreach (var c in crops) c.Dispose();
                    }
                    progress.Report(embeddings.Count);
                }
            }

            // All or nothing: one save of the file, or one database transaction, for every person.
            var batch = new List<KeyValuePair<string, IReadOnlyList<Embeddings.FaceEmbedding>>>();
            int next = 0;
            foreach (var (person, paths) in plan)
            {
                batch.Add(new(person, embeddings.Skip(next).Take(paths.Count).ToList()));
                next += paths.Count;
            }
            if (faces is PostgreSql.PostgreSqlFaceGallery table)
                GalleryLocations.Wait(table.EnrollManyAsync(batch));
            else
            {
                var file = (InMemoryFaceGallery)faces;
                foreach (var (person, list) in batch) file.Enroll(person, list);
                CliHost.RemoveStaleTemporaryFiles("facenet", galleryPath);
                file.Save(galleryPath);
            }
            int identities = GalleryLocations.Wait(faces.CountAsync());
            long total = GalleryLocations.Wait(faces.EmbeddingCountAsync());
            var shown = GalleryLocations.Display(galleryPath);

            if (parse.GetValue(json))
                CliHost.WriteJson(new Output(shown, plan.Select(p => new EnrolledOutput(p.Name, p.Images.Count)).ToList(), identities, total));
            else
            {
                foreach (var (person, paths) in plan) Console.WriteLine($"enrolled {person}: {paths.Count} image(s)");
                Console.WriteLine($"gallery {shown}: {identities} identities, {total} embeddings");
            }
            return CliHost.Success;
        });
        return command;
    }

    /// <summary>Who gets which images, checked before any image is decoded.</summary>
    internal static List<(string Name, List<string> Images)> Plan(string? name, string[] images, string? folders)
    {
        if (folders is not null)
        {
            if (name is not null || images.Length > 0)
                throw new UsageException("use either --name with images, or --from-folders, not both");
            if (!Directory.Exists(folders)) throw new UsageException($"folder '{folders}' does not exist");
            var plan = new List<(string, List<string>)>();
            foreach (var dir in Directory.GetDirectories(folders).Order(StringComparer.Ordinal))
            {
                var files = Directory.GetFiles(dir)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new UsageException($"folder '{dir}' has no images ({string.Join(", ", ImageExtensions)})");
                var person = Path.GetFileName(dir);
                try { InMemoryFaceGallery.ValidateName(person); }
                catch (ArgumentException e) { throw new UsageException($"folder name '{person}' is not a valid identity name: {e.Message}"); }
                plan.Add((person, files));
            }
            if (plan.Count == 0) throw new UsageException($"folder '{folders}' has no subfolders (one per person)");
            return plan;
        }
        if (name is null) throw new UsageException("give --name and at least one image, or --from-folders");
        if (images.Length == 0) throw new UsageException($"no images given for '{name}'");
        RecognitionOptions.CheckName(name);
        return [(name, images.ToList())];
    }

    private sealed record EnrolledOutput(string Name, int Images);

    private sealed record Output(string Gallery, IReadOnlyList<EnrolledOutput> Enrolled, int Identities, long Embeddings);
}
