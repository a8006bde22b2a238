using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet gallery list|remove|rename|export|import --gallery g</c>: inspect and edit a gallery (a file, or a
/// PostgreSQL gallery: <see cref="GalleryLocations"/>) without weights, and move one between a file and PostgreSQL.
/// File edits replace the file atomically; database edits are transactions.
/// </summary>
internal static class GalleryCommand
{
    public static Command Create()
    {
        var command = new Command("gallery", "List, remove or rename the people in a gallery (file or PostgreSQL); export or import between them");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Rename());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Command List()
    {
        var gallery = RecognitionOptions.Gallery();
        var json = RecognitionOptions.Json();
        var command = new Command("list", "List the enrolled people and their embedding counts") { gallery, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(gallery)!, shown = GalleryLocations.Display(path);
            var faces = OpenAnyWeights(path);
            using var release = GalleryLocations.Releasing(faces);
            var identities = GalleryLocations.Wait(faces.ListAllAsync());
            long embeddings = GalleryLocations.Wait(faces.EmbeddingCountAsync());
            if (parse.GetValue(json))
                CliHost.WriteJson(new ListOutput(shown, faces.Fingerprint, faces.EmbeddingSize, embeddings,
                    identities.Select(i => new IdentityOutput(i.Name, i.EmbeddingCount)).ToList()));
            else
            {
                Console.WriteLine($"gallery {shown}: {identities.Count} identities, {embeddings} embeddings ({faces.EmbeddingSize}-d, weights {faces.Fingerprint})");
                foreach (var i in identities) Console.WriteLine($"  {i.Name}  ({i.EmbeddingCount})");
            }
            return CliHost.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var gallery = RecognitionOptions.Gallery();
        var name = new Argument<string>("name") { Description = "The person to remove" };
        var json = RecognitionOptions.Json();
        var command = new Command("remove", "Remove a person and their embeddings") { name, gallery, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(gallery)!, person = parse.GetValue(name)!;
            var faces = OpenAnyWeights(path);
            using var release = GalleryLocations.Releasing(faces);
            if (!GalleryLocations.Wait(faces.RemoveAsync(person))) throw new IdentityNotFoundException(person);
            SaveFile(faces, path);
            int left = GalleryLocations.Wait(faces.CountAsync());
            if (parse.GetValue(json)) CliHost.WriteJson(new EditOutput(GalleryLocations.Display(path), "removed", person, null, left));
            else Console.WriteLine($"removed {person}; {left} identities left");
            return CliHost.Success;
        });
        return command;
    }

    private static Command Rename()
    {
        var gallery = RecognitionOptions.Gallery();
        var name = new Argument<string>("name") { Description = "The current name" };
        var newName = new Argument<string>("new-name") { Description = "The new name" };
        var json = RecognitionOptions.Json();
        var command = new Command("rename", "Rename a person, keeping their embeddings") { name, newName, gallery, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(gallery)!, from = parse.GetValue(name)!, to = parse.GetValue(newName)!;
            var faces = OpenAnyWeights(path);
            using var release = GalleryLocations.Releasing(faces);
            GalleryLocations.Wait(faces.RenameAsync(from, to));
            SaveFile(faces, path);
            if (parse.GetValue(json)) CliHost.WriteJson(new EditOutput(GalleryLocations.Display(path), "renamed", from, to, GalleryLocations.Wait(faces.CountAsync())));
            else Console.WriteLine($"renamed {from} to {to}");
            return CliHost.Success;
        });
        return command;
    }

    private static Command Export()
    {
        var gallery = RecognitionOptions.Gallery();
        var file = new Argument<string>("file") { Description = "The gallery file to write (replaced atomically)" };
        var json = RecognitionOptions.Json();
        var command = new Command("export", "Write a PostgreSQL gallery (--gallery) to a gallery file") { file, gallery, json };
        command.SetAction(parse =>
        {
            string location = parse.GetValue(gallery)!, path = parse.GetValue(file)!;
            if (!GalleryLocations.IsDatabase(location))
                throw new UsageException($"--gallery '{location}' is not a PostgreSQL gallery (postgresql://... or Host=...): export copies a database gallery to a file");
            GalleryLocations.CheckFileTarget(path, "file");
            var source = GalleryLocations.OpenExistingDatabase(location);
            using var release = GalleryLocations.Releasing(source);
            using var copy = new InMemoryFaceGallery(source.Fingerprint, source.EmbeddingSize);
            GalleryLocations.Wait(CopyAsync(source, copy));
            CliHost.RemoveStaleTemporaryFiles("facenet", path);
            copy.Save(path);
            Report(parse.GetValue(json), "exported", GalleryLocations.Display(location), path, copy.Count, copy.EmbeddingCount);
            return CliHost.Success;
        });
        return command;
    }

    private static Command Import()
    {
        var gallery = RecognitionOptions.Gallery();
        var file = new Argument<string>("file") { Description = "The gallery file to read" };
        var append = new Option<bool>("--append") { Description = "Add the file's embeddings to people already in the database gallery (without it, a name in both is refused)" };
        var json = RecognitionOptions.Json();
        var command = new Command("import", "Add a gallery file's people to a PostgreSQL gallery (--gallery), created with the file's weights when missing; one transaction")
        {
            file, gallery, append, json,
        };
        command.SetAction(parse =>
        {
            string location = parse.GetValue(gallery)!, path = parse.GetValue(file)!;
            if (!GalleryLocations.IsDatabase(location))
                throw new UsageException($"--gallery '{location}' is not a PostgreSQL gallery (postgresql://... or Host=...): import copies a gallery file into a database gallery");
            using var content = InMemoryFaceGallery.Load(path);
            var target = (PostgreSql.PostgreSqlFaceGallery)GalleryLocations.Wait(new PostgreSql.PostgreSqlFaceGalleryFactory()
                .OpenAsync(location, content.Fingerprint, content.EmbeddingSize));
            using var release = GalleryLocations.Releasing(target);
            var identities = content.List();
            if (!parse.GetValue(append))
            {
                var clash = identities.FirstOrDefault(i => GalleryLocations.Wait(target.ContainsAsync(i.Name)));
                if (clash is not null)
                    throw new UsageException($"'{clash.Name}' is already in gallery '{GalleryLocations.Display(location)}': add --append to add the file's embeddings to them, or remove them first");
            }
            GalleryLocations.Wait(target.EnrollManyAsync(identities.Select(i =>
                new KeyValuePair<string, IReadOnlyList<Embeddings.FaceEmbedding>>(i.Name, content.GetEmbeddings(i.Name)))));
            Report(parse.GetValue(json), "imported", path, GalleryLocations.Display(location), identities.Count, content.EmbeddingCount);
            return CliHost.Success;
        });
        return command;
    }

    /// <summary>A gallery of either kind, whatever weights it holds (to list or edit it).</summary>
    private static IFaceGallery OpenAnyWeights(string location) =>
        GalleryLocations.IsDatabase(location) ? GalleryLocations.OpenExistingDatabase(location) : InMemoryFaceGallery.Load(location);

    /// <summary>Writes a file gallery back after an edit (a database gallery is already written).</summary>
    private static void SaveFile(IFaceGallery faces, string path)
    {
        if (faces is not InMemoryFaceGallery file) return;
        CliHost.RemoveStaleTemporaryFiles("facenet", path);
        file.Save(path);
    }

    private static async Task CopyAsync(PostgreSql.PostgreSqlFaceGallery source, InMemoryFaceGallery target)
    {
        await foreach (var (name, embeddings) in source.ReadAllAsync().ConfigureAwait(false)) target.Enroll(name, embeddings);
    }

    private static void Report(bool json, string action, string from, string to, int identities, long embeddings)
    {
        if (json) CliHost.WriteJson(new MoveOutput(action, from, to, identities, embeddings));
        else Console.WriteLine($"{action} {identities} identities, {embeddings} embeddings from {from} to {to}");
    }

    private sealed record MoveOutput(string Action, string From, string To, int Identities, long Embeddings);

    private sealed record IdentityOutput(string Name, int Embeddings);

    private sealed record ListOutput(string Gallery, string Fingerprint, int EmbeddingSize, long Embeddings, IReadOnlyList<IdentityOutput> Identities);

    private sealed record EditOutput(string Gallery, string Action, string Name, string? NewName, int Identities);
}
