using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Recognition;

namespace FaceNet.Net.Tests.Database;

/// <summary>The <see cref="IFaceGallery"/> contract for <see cref="PostgreSqlFaceGallery"/>, on a real PostgreSQL + pgvector server (a fresh schema per test).</summary>
[TestFixture]
[Category(TestCategories.Database)]
public sealed class PostgreSqlFaceGalleryContractTests : FaceGalleryContractTests
{
    protected override async Task<IFaceGallery> CreateAsync(int dimension = 128) =>
        await PostgreSqlFaceGallery.OpenAsync(PostgresTestServer.ConnectionString, Weights, dimension,
            new PostgreSqlFaceGalleryOptions { Schema = PostgresTestServer.NewSchema() });
}
