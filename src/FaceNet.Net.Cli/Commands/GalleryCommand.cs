using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// <c>facenet gallery list|remove|rename --gallery g</c>: inspect and edit a gallery file without weights.
/// Edits replace the file atomically.
/// </summary>
internal static class GalleryCommand
{
    public static Command Create()
    {
        var command = new Command("gallery", "List, remove or rename the people in a gallery file");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Rename());
        return command;
    }

    private static Command List()
    {
        var gallery = RecognitionOptions.Gallery();
        var json = RecognitionOptions.Json();
        var command = new Command("list", "List the enrolled people and their embedding counts") { gallery, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(gallery)!;
            using var faces = InMemoryFaceGallery.Load(path);
            var identities = faces.List();
            if (parse.GetValue(json))
                CliHost.WriteJson(new ListOutput(path, faces.Fingerprint, faces.EmbeddingSize, faces.EmbeddingCount,
                    identities.Select(i => new IdentityOutput(i.Name, i.EmbeddingCount)).ToList()));
            else
            {
                Console.WriteLine($"gallery {path}: {identities.Count} identities, {faces.EmbeddingCount} embeddings ({faces.EmbeddingSize}-d, weights {faces.Fingerprint})");
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
            using var faces = InMemoryFaceGallery.Load(path);
            if (!faces.Remove(person)) throw new IdentityNotFoundException(person);
            CliHost.RemoveStaleTemporaryFiles("facenet", path);
            faces.Save(path);
            if (parse.GetValue(json)) CliHost.WriteJson(new EditOutput(path, "removed", person, null, faces.Count));
            else Console.WriteLine($"removed {person}; {faces.Count} identities left");
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
            using var faces = InMemoryFaceGallery.Load(path);
            faces.Rename(from, to);
            CliHost.RemoveStaleTemporaryFiles("facenet", path);
            faces.Save(path);
            if (parse.GetValue(json)) CliHost.WriteJson(new EditOutput(path, "renamed", from, to, faces.Count));
            else Console.WriteLine($"renamed {from} to {to}");
            return CliHost.Success;
        });
        return command;
    }

    private sealed record IdentityOutput(string Name, int Embeddings);

    private sealed record ListOutput(string Gallery, string Fingerprint, int EmbeddingSize, int Embeddings, IReadOnlyList<IdentityOutput> Identities);

    private sealed record EditOutput(string Gallery, string Action, string Name, string? NewName, int Identities);
}
