using System.Collections.Concurrent;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Hosting;
using FaceNet.Net.Recognition;
using FaceNet.Net.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaceNet.Net.Server.Tests;

/// <summary><c>services.AddFaceNet(configuration)</c>: binding, start-up validation naming the key, what it registers, logging through the host.</summary>
public class DependencyInjectionTests
{
    private static IHost Build(Dictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null) builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddFaceNet(builder.Configuration.GetSection(FaceNetOptions.SectionName));
        return builder.Build();
    }

    [Test]
    public void Options_bind_from_configuration_keys()
    {
        using var host = Build(new()
        {
            ["FaceNet:Weights"] = "vggface2", ["FaceNet:Device"] = "cuda:1", ["FaceNet:Precision"] = "BFloat16",
            ["FaceNet:Backend"] = "Eager", ["FaceNet:Threshold"] = "0.9", ["FaceNet:MaxBatchSize"] = "8",
            ["FaceNet:Preprocessing"] = "fixed", ["FaceNet:Gallery"] = "/tmp/x.gallery", ["FaceNet:Offline"] = "true",
        });
        var options = host.Services.GetRequiredService<IOptions<FaceNetOptions>>().Value;
        Assert.That((options.Weights, options.Device, options.Precision, options.Backend, options.Threshold, options.MaxBatchSize, options.Preprocessing, options.Gallery, options.Offline),
            Is.EqualTo(("vggface2", "cuda:1", Precision.BFloat16, FaceNet.Net.Model.InferenceBackend.Eager, (float?)0.9f, 8, "fixed", "/tmp/x.gallery", true)));
    }

    private static IEnumerable<TestCaseData> BadSettings()
    {
        yield return new TestCaseData(new Dictionary<string, string?>(), "FaceNet:Weights is not set").SetName("Weights missing");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "/no/such/weights.h5" }, "FaceNet:Weights '/no/such/weights.h5' is neither").SetName("Weights not found");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Preprocessing"] = "zscore" }, "FaceNet:Preprocessing 'zscore'").SetName("Unknown preprocessing");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Device"] = "gpu0" }, "FaceNet:Device 'gpu0'").SetName("Unknown device");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Threshold"] = "-1" }, "FaceNet:Threshold -1").SetName("Negative threshold");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:MaxBatchSize"] = "0" }, "FaceNet:MaxBatchSize 0").SetName("Batch size zero");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Mtcnn"] = "/no/mtcnn" }, "FaceNet:Mtcnn '/no/mtcnn'").SetName("MTCNN folder not found");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Gallery"] = "postgres://db/faces" }, "services.AddFaceNetPostgreSql()").SetName("Gallery nobody opens");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Precision"] = "Int8", ["FaceNet:Device"] = "cuda" }, "FaceNet:Precision Int8 runs on the CPU only").SetName("Int8 on CUDA");
        yield return new TestCaseData(new Dictionary<string, string?> { ["FaceNet:Weights"] = "vggface2", ["FaceNet:Precision"] = "Int8", ["FaceNet:Backend"] = "Eager" }, "FaceNet:Precision Int8 runs on the oneDNN backend only").SetName("Int8 on the eager backend");
    }

    [TestCaseSource(nameof(BadSettings))]
    public void A_bad_setting_fails_the_start_naming_the_key_and_the_fix(Dictionary<string, string?> settings, string message)
    {
        using var host = Build(settings);
        var e = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test, Category(TestCategories.Service)] // loads the reference weights and MTCNN
    public async Task It_registers_the_coalescing_encoder_the_detector_and_the_configured_gallery_and_logs_through_the_host()
    {
        var folder = Directory.CreateTempSubdirectory("facenet-di-").FullName;
        try
        {
            var logs = new ListLoggerProvider();
            using var host = Build(new()
            {
                ["FaceNet:Weights"] = SharedFixtures.Path("fixtures", "reference-128", "weights.h5"),
                ["FaceNet:Mtcnn"] = SharedFixtures.Path("fixtures", "mtcnn"),
                ["FaceNet:Gallery"] = Path.Combine(folder, "people.gallery"),
                ["FaceNet:MaxBatchSize"] = "4",
            }, logs);
            await host.StartAsync();

            var encoder = host.Services.GetRequiredService<IFaceEncoder>();
            Assert.That(encoder, Is.InstanceOf<CoalescingFaceEncoder>());
            Assert.That(((CoalescingFaceEncoder)encoder).MaxBatchSize, Is.EqualTo(4));
            Assert.That(host.Services.GetRequiredService<IFaceEncoder>(), Is.SameAs(encoder), "one shared encoder");
            Assert.That(host.Services.GetService<FaceNet.Net.Detection.IFaceDetector>(), Is.Not.Null);

            var gallery = host.Services.GetRequiredService<IFaceGallery>();
            Assert.That(gallery, Is.InstanceOf<FileFaceGallery>());
            var face = encoder.Encode(SharedFixtures.Path("fixtures", "faces", "aligned", "paul_rudd.png"));
            await gallery.EnrollAsync("paul", [face]);
            Assert.That(File.Exists(Path.Combine(folder, "people.gallery")), Is.True, "the file gallery persisted the enrolment");
            Assert.That((await gallery.IdentifyAsync(face)).Identity, Is.EqualTo("paul"));

            Assert.That(logs.Lines.Keys, Does.Contain(typeof(FaceEncoder).FullName), "the encoder's line came through ILogger<FaceEncoder>");
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Keeps every log line by category.</summary>
    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentDictionary<string, ConcurrentQueue<string>> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines.GetOrAdd(categoryName, _ => new()));

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
