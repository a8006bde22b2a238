namespace FaceNet.Net.Server;

/// <summary>A request the service refuses with <paramref name="status"/> (a 4xx); the message says what to fix.</summary>
internal sealed class ServiceException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
