namespace FaceNet.Net.PostgreSql;

/// <summary>
/// The PostgreSQL gallery cannot do what was asked: the server is down or unreachable within the connection
/// timeout, the connection was lost in the middle of a call (a write is then rolled back whole), pgvector is not
/// installed, or the tables are not a gallery this version understands. The message names the server or table and
/// the fix; <see cref="Exception.InnerException"/> holds Npgsql's exception.
/// </summary>
public class PostgreSqlGalleryException : FaceNetException
{
    /// <summary>Creates the exception.</summary>
    public PostgreSqlGalleryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
