using FaceNet.Net.CommandLine;
using FaceNet.Net.Embeddings;
using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;

namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// What <c>--gallery</c> names: a gallery file, or a PostgreSQL gallery (<c>postgresql://</c> URI or <c>Host=...</c>
/// connection string, recognised by <see cref="PostgreSqlFaceGalleryFactory.CanOpen"/>; the password from
/// <c>PGPASSWORD</c>, <c>PGPASSFILE</c> or <c>~/.pgpass</c>). Files keep their one-save-per-command behaviour
/// (<see cref="InMemoryFaceGallery"/>, saved atomically); PostgreSQL galleries write in transactions.
/// </summary>
internal static class GalleryLocations
{
    private static readonly PostgreSqlFaceGalleryFactory Database = new();

    /// <summary>True when <paramref name="location"/> is a PostgreSQL gallery.</summary>
    public static bool IsDatabase(string location) => Database.CanOpen(location);

    /// <summary>The location for messages: a connection string's password replaced by <c>***</c>.</summary>
    public static string Display(string location) => IsDatabase(location) ? PostgreSqlFaceGalleryFactory.Redact(location) : location;

    /// <summary>Opens the PostgreSQL gallery for <paramref name="encoder"/>'s weights, creating it when missing.</summary>
    public static PostgreSqlFaceGallery OpenDatabase(string location, IFaceEncoder encoder) =>
        (PostgreSqlFaceGallery)Database.OpenAsync(location, encoder.Fingerprint, encoder.EmbeddingSize).GetAwaiter().GetResult();

    /// <summary>Opens an existing PostgreSQL gallery whatever its weights (to list, edit or export it).</summary>
    public static PostgreSqlFaceGallery OpenExistingDatabase(string location) =>
        PostgreSqlFaceGallery.OpenExistingAsync(location).GetAwaiter().GetResult();

    /// <summary>
    /// Opens an existing gallery of either kind for searching with <paramref name="encoder"/>: a file must exist and
    /// a database gallery must have been created; either must hold <paramref name="encoder"/>'s weights.
    /// </summary>
    public static IFaceGallery OpenToSearch(string location, IFaceEncoder encoder)
    {
        if (!IsDatabase(location)) return InMemoryFaceGallery.Load(location, encoder);
        var gallery = OpenExistingDatabase(location);
        if (gallery.Fingerprint != encoder.Fingerprint || gallery.EmbeddingSize != encoder.EmbeddingSize)
        {
            var message = $"Gallery '{Display(location)}' (schema {gallery.Schema}) was built with weights {gallery.Fingerprint} ({gallery.EmbeddingSize}-d), not with the weights in use " +
                $"({encoder.Fingerprint}, {encoder.EmbeddingSize}-d): enrol the people again with these weights, or use the weights the gallery was built with.";
            gallery.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new GalleryWeightsMismatchException(message, encoder.Fingerprint, gallery.Fingerprint);
        }
        return gallery;
    }

    /// <summary>Refuses a file location whose path is a directory or whose folder is missing (exit 2).</summary>
    public static void CheckFileTarget(string path, string option)
    {
        if (Directory.Exists(path))
            throw new UsageException($"{option} '{path}' is a directory: give a gallery file name");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
            throw new UsageException($"{option} '{path}': the folder '{folder}' does not exist; create it first");
    }

    /// <summary>Disposes <paramref name="gallery"/> (synchronously) when the returned object is disposed: <c>using var release = Releasing(g);</c>.</summary>
    public static IDisposable Releasing(IAsyncDisposable gallery) => new Release(gallery);

    private sealed class Release(IAsyncDisposable gallery) : IDisposable
    {
        public void Dispose() => gallery.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Waits for a gallery task from a synchronous command action.</summary>
    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Waits for a gallery task from a synchronous command action.</summary>
    public static void Wait(Task task) => task.GetAwaiter().GetResult();
}
