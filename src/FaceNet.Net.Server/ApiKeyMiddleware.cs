using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FaceNet.Net.Server;

/// <summary>
/// Refuses <c>/v1</c> requests without the configured API key (header <c>X-Api-Key</c>) with a 401 problem; lets
/// everything through when no key is configured. <c>/health</c> and <c>/openapi</c> stay open. Thread-safe.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<ServiceOptions> options, IProblemDetailsService problems)
{
    public const string Header = "X-Api-Key";

    private readonly byte[]? _key = options.Value.ApiKey is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_key is null || !context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
        var given = context.Request.Headers[Header].ToString();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _key))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Missing or wrong API key",
                Detail = $"Send the service's API key in the {Header} header.",
            },
        });
    }
}
