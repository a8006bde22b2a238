using FaceNet.Net.Detection;
using FaceNet.Net.Imaging;
using FaceNet.Net.Recognition;
using Microsoft.AspNetCore.Diagnostics;

namespace FaceNet.Net.Server;

/// <summary>
/// The one place an exception becomes an HTTP status: bad input is a 4xx problem+json that says what to fix, never a
/// 5xx; anything else is a 500 with no internals in the body (logged). Thread-safe.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
            return true; // the client went away: nobody to answer
        var (status, title) = Classify(exception);
        if (status >= 500) logger.LogError(exception, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
        else logger.LogInformation("Request {Method} {Path} refused with {Status}: {Reason}", context.Request.Method, context.Request.Path, status, exception.Message);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = status >= 500 ? "The service failed; the error is in its log." : exception.Message,
            },
        });
    }

    /// <summary>The status and title for <paramref name="exception"/>.</summary>
    internal static (int Status, string Title) Classify(Exception exception) => exception switch
    {
        ServiceException s => (s.Status, s.Title),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Request too large"),
        BadHttpRequestException b => (b.StatusCode, "Bad request"),
        InvalidDataException => (413, "Request too large"), // the multipart body or a section is over FormOptions' limits
        ImageLoadException => (422, "Unusable image"),
        FaceDetectionException => (422, "No usable face"),
        IdentityNotFoundException => (404, "Unknown identity"),
        GalleryWeightsMismatchException => (409, "Gallery made with other weights"),
        ArgumentException => (400, "Bad request"),
        _ => (500, "Internal error"),
    };
}
