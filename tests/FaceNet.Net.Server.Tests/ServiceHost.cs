using System.Net;
using FaceNet.Net.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FaceNet.Net.Server.Tests;

/// <summary>
/// The service on Kestrel on 127.0.0.1 (a free port), configured as an operator would: <c>FaceNet__*</c> and
/// <c>Service__*</c> environment variables (the reference 128-d weights, MTCNN, a fresh gallery file, an API key,
/// a 2 MiB request limit). Clients talk real HTTP to it.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public const string ApiKey = "test-key-7f3c";
    public const long MaxRequestBytes = 2L * 1024 * 1024;

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _folder;

    private ServiceHost(WebApplicationFactory<Program> factory, string folder, Uri address)
    {
        _factory = factory;
        _folder = folder;
        Address = address;
    }

    /// <summary>The service's base address (http://127.0.0.1:PORT/).</summary>
    public Uri Address { get; }

    public static ServiceHost Start()
    {
        var weights = SharedFixtures.Path("fixtures", "reference-128", "weights.h5");
        var mtcnn = SharedFixtures.Path("fixtures", "mtcnn");
        var folder = Directory.CreateTempSubdirectory("facenet-service-").FullName;
        Environment.SetEnvironmentVariable("FaceNet__Weights", weights);
        Environment.SetEnvironmentVariable("FaceNet__Mtcnn", mtcnn);
        Environment.SetEnvironmentVariable("FaceNet__Gallery", Path.Combine(folder, "people.gallery"));
        Environment.SetEnvironmentVariable("Service__ApiKey", ApiKey);
        Environment.SetEnvironmentVariable("Service__MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var factory = new WebApplicationFactory<Program>();
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ServiceHost(factory, folder, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>A client of the service, with the API key unless told otherwise.</summary>
    public HttpClient Client(string? apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        foreach (var name in new[] { "FaceNet__Weights", "FaceNet__Mtcnn", "FaceNet__Gallery", "Service__ApiKey", "Service__MaxRequestBytes" })
            Environment.SetEnvironmentVariable(name, null);
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
