using FaceNet.Net.Embeddings;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FaceNet.Net.Tests.Database;

/// <summary>
/// <c>services.AddFaceNet(...).AddFaceNetPostgreSql()</c> with <c>FaceNet:Gallery</c> a <c>postgresql://</c> URI: the
/// container's <see cref="IFaceGallery"/> is the PostgreSQL gallery, and it answers as a gallery file does.
/// </summary>
[TestFixture]
[Category(TestCategories.Database)]
[Category(TestCategories.Reference)]
public sealed class PostgreSqlDependencyInjectionTests
{
    [Test]
    public async Task A_postgresql_gallery_location_resolves_to_the_postgresql_gallery_with_the_files_answers()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var faces = Directory.GetFiles(SharedFixtures.Path("fixtures", "faces", "aligned"), "*.png").Order(StringComparer.Ordinal).ToArray();
        var b = new NpgsqlConnectionStringBuilder(PostgresTestServer.ConnectionString);
        var location = $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}?schema={PostgresTestServer.NewSchema()}";

        var services = new ServiceCollection();
        services.AddFaceNet(o => { o.Weights = weights; o.Gallery = location; }).AddFaceNetPostgreSql();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var encoder = provider.GetRequiredService<IFaceEncoder>();
        var gallery = provider.GetRequiredService<IFaceGallery>();
        Assert.That(gallery, Is.InstanceOf<PostgreSql.PostgreSqlFaceGallery>());
        Assert.That(gallery.Fingerprint, Is.EqualTo(encoder.Fingerprint));

        using var file = new InMemoryFaceGallery(encoder);
        var embeddings = faces.Select(f => encoder.Encode(f)).ToList();
        for (int i = 0; i < embeddings.Count - 1; i++)
        {
            var name = Path.GetFileNameWithoutExtension(faces[i]);
            await gallery.EnrollAsync(name, [embeddings[i]]);
            file.Enroll(name, embeddings[i]);
        }
        var probe = embeddings[^1];
        var fromDatabase = await gallery.IdentifyAsync(probe, topK: 4);
        var fromFile = file.Identify(probe, topK: 4);
        Assert.That(fromDatabase.Candidates.Select(c => c.Name), Is.EqualTo(fromFile.Candidates.Select(c => c.Name)));
        Assert.That(fromDatabase.Candidates.Select(c => c.Distance), Is.EqualTo(fromFile.Candidates.Select(c => c.Distance)).Within(1e-5f));
        Assert.That(await gallery.CountAsync(), Is.EqualTo(embeddings.Count - 1));
    }
}
