using FaceNet.Net;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Hosting;
using FaceNet.Net.Recognition;
using FaceNet.Net.Server;
using Microsoft.AspNetCore.Http.Features;

// The service owns its process: it opts into the process-wide malloc and OpenMP tunings (docs/performance.md, section 14).
// Started inside a process whose runtime is already initialised (a test host), it keeps that process's settings.
if (FaceNetRuntime.Report is null) FaceNetRuntime.Configure(FaceNetRuntime.Options.WithProcessTuning());

var builder = WebApplication.CreateBuilder(args);

var service = builder.Configuration.GetSection(ServiceOptions.SectionName).Get<ServiceOptions>() ?? new ServiceOptions();
builder.Services.Configure<ServiceOptions>(builder.Configuration.GetSection(ServiceOptions.SectionName));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = service.MaxRequestBytes);
builder.Services.Configure<FormOptions>(form =>
{
    form.MultipartBodyLengthLimit = service.MaxRequestBytes;
    form.ValueCountLimit = 64;
});

// FaceNet:Gallery: a gallery file, or a PostgreSQL gallery (postgresql:// URI or Host=... connection string).
builder.Services.AddFaceNet(builder.Configuration.GetSection(FaceNetOptions.SectionName)).AddFaceNetPostgreSql();
builder.Services.AddSingleton<FaceReader>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.AddHealthChecks();
builder.Services.AddOpenApi();

var app = builder.Build();

// Load the weights, the detector and the gallery now, so the first request does not wait (and a bad file fails the start).
var encoder = app.Services.GetRequiredService<IFaceEncoder>();
var gallery = app.Services.GetService<IFaceGallery>()
    ?? throw new InvalidOperationException("FaceNet:Gallery is not set: set it (environment FaceNet__Gallery) to the gallery file the service keeps its identities in.");
app.Logger.LogInformation("FaceNet.Net {Version} serving {EmbeddingSize}-d embeddings of weights {Fingerprint}; gallery of {Count} identities",
    FaceNetRuntime.Version, encoder.EmbeddingSize, encoder.Fingerprint, await gallery.CountAsync());

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<ApiKeyMiddleware>();
app.MapOpenApi();
app.MapHealthChecks("/health");
FaceEndpoints.Map(app);

app.Run();

/// <summary>The service's entry point (public for the tests' WebApplicationFactory).</summary>
public partial class Program;
