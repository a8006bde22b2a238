using System.Text.RegularExpressions;
using Npgsql;

namespace FaceNet.Net.PostgreSql;

/// <summary>
/// Reads a gallery location: a <c>postgresql://</c> or <c>postgres://</c> URI (libpq's form:
/// <c>postgresql://user@host:port/database?sslmode=require&amp;schema=faces</c>) or an Npgsql connection string
/// (<c>Host=...;Database=...</c>), into Npgsql's keyword form and the gallery schema the URI names (<c>schema</c>,
/// FaceNet's own parameter). Stateless, thread-safe.
/// </summary>
internal static partial class PostgreSqlLocation
{
    /// <summary>True for a PostgreSQL URI or a connection string with a <c>Host</c> key.</summary>
    public static bool IsPostgreSql(string location) =>
        !string.IsNullOrWhiteSpace(location) && (IsUri(location) || HostKey().IsMatch(location));

    private static bool IsUri(string location) =>
        location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql connection string and the schema the URI names (null: the options' schema).</summary>
    /// <exception cref="ArgumentException">The URI or connection string cannot be read; the message says which part.</exception>
    public static (string ConnectionString, string? Schema) Parse(string location)
    {
        if (!IsUri(location))
        {
            try
            {
                return (new NpgsqlConnectionStringBuilder(location).ConnectionString, null);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"'{Redact(location)}' is not a valid PostgreSQL connection string: {e.Message}", nameof(location), e);
            }
        }
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri))
            throw new ArgumentException($"'{Redact(location)}' is not a valid PostgreSQL URI (postgresql://user@host:port/database).", nameof(location));
        var builder = new NpgsqlConnectionStringBuilder();
        if (!string.IsNullOrEmpty(uri.Host)) builder.Host = uri.IdnHost.Trim('[', ']');
        if (!uri.IsDefaultPort && uri.Port > 0) builder.Port = uri.Port;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        string? schema = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "";
            switch (key)
            {
                case "schema": schema = value; break;
                case "sslmode": builder["SSL Mode"] = value switch { "disable" => "Disable", "allow" => "Allow", "prefer" => "Prefer", "require" => "Require", "verify-ca" => "VerifyCA", "verify-full" => "VerifyFull", _ => throw Bad(key, value) }; break;
                case "connect_timeout": builder.Timeout = int.TryParse(value, out var t) && t >= 0 ? t : throw Bad(key, value); break;
                case "application_name": builder.ApplicationName = value; break;
                case "user": builder.Username = value; break;
                case "dbname": builder.Database = value; break;
                case "port": builder.Port = int.TryParse(value, out var p) && p is > 0 and < 65536 ? p : throw Bad(key, value); break;
                case "host": builder.Host = value; break;
                case "passfile": builder.Passfile = value; break;
                default:
                    throw new ArgumentException($"PostgreSQL URI parameter '{key}' is not supported (schema, sslmode, connect_timeout, application_name, user, dbname, host, port, passfile); use a Host=...; connection string for other settings.", nameof(location));
            }
        }
        return (builder.ConnectionString, schema);

        static ArgumentException Bad(string key, string value) =>
            new($"PostgreSQL URI parameter {key}={value} has an invalid value.", nameof(location));
    }

    /// <summary>The location with any password replaced by <c>***</c>, for messages.</summary>
    public static string Redact(string location) => PasswordInUri().Replace(PasswordKey().Replace(location, "$1***"), "$1***@");

    [GeneratedRegex(@"(^|;)\s*(Host|Server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex HostKey();

    [GeneratedRegex(@"((?:^|;)\s*(?:Password|PWD)\s*=)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordKey();

    [GeneratedRegex(@"(://[^:/@]*:)[^@/]*@")]
    private static partial Regex PasswordInUri();
}
