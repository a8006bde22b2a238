using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Database;

/// <summary>Stops and deletes the throw-away PostgreSQL cluster after the last test of this namespace.</summary>
[SetUpFixture]
public sealed class PostgreSqlServerFixture
{
    /// <summary>Runs after the last database test.</summary>
    [OneTimeTearDown]
    public void StopServer() => PostgresTestServer.Stop();
}
