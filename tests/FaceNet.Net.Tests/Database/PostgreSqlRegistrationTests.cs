using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;
using Microsoft.Extensions.DependencyInjection;

namespace FaceNet.Net.Tests.Database;

/// <summary>The DI registration and location parsing, which need no server.</summary>
[TestFixture]
public sealed class PostgreSqlRegistrationTests
{
    [Test]
    public void AddFaceNetPostgreSql_adds_the_factory_as_an_IFaceGalleryFactory_once()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IFaceGalleryFactory, FileFaceGalleryFactory>();
        services.AddFaceNetPostgreSql().AddFaceNetPostgreSql();
        var factories = services.Where(d => d.ServiceType == typeof(IFaceGalleryFactory)).Select(d => d.ImplementationType).ToList();
        Assert.That(factories, Is.EquivalentTo(new[] { typeof(FileFaceGalleryFactory), typeof(PostgreSqlFaceGalleryFactory) }));
    }

    [TestCase("postgresql://app@db.example:5433/faces?schema=staff&sslmode=require", "Host=db.example;Port=5433;Username=app;Database=faces;SSL Mode=Require", "staff")]
    [TestCase("postgres://app:s%40cret@localhost/faces", "Host=localhost;Username=app;Password=s@cret;Database=faces", null)]
    [TestCase("Host=db;Database=faces;Username=app", "Host=db;Database=faces;Username=app", null)]
    public void Locations_become_npgsql_connection_strings(string location, string expected, string? schema)
    {
        var (connectionString, parsedSchema) = PostgreSqlLocation.Parse(location);
        Assert.That(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).EquivalentTo(new Npgsql.NpgsqlConnectionStringBuilder(expected)), Is.True, connectionString);
        Assert.That(parsedSchema, Is.EqualTo(schema));
    }

    [Test]
    public void A_password_is_never_repeated_in_a_message()
    {
        Assert.That(PostgreSqlLocation.Redact("postgresql://app:secret@db/faces"), Does.Not.Contain("secret"));
        Assert.That(PostgreSqlLocation.Redact("Host=db;Password=secret;Database=x"), Does.Not.Contain("secret"));
        Assert.Throws<ArgumentException>(() => new PostgreSqlFaceGalleryFactory(new PostgreSqlFaceGalleryOptions { Schema = "Bad-Name" }));
    }
}
