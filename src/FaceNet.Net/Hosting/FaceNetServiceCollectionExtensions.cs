using FaceNet.Net;
using FaceNet.Net.Detection;
using FaceNet.Net.Embeddings;
using FaceNet.Net.Hosting;
using FaceNet.Net.Recognition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers FaceNet.Net with a host's services: <c>builder.Services.AddFaceNet(builder.Configuration.GetSection("FaceNet"))</c>.
/// </summary>
/// <remarks>
/// <para>Registered, all singletons, built on first resolution and disposed with the container:
/// <see cref="FaceNetOptions"/> (bound, checked at start-up by <c>ValidateOnStart</c>: a wrong key fails the start with
/// <see cref="OptionsValidationException"/> naming it); <see cref="FaceEncoder"/> (the loaded weights, logging through
/// <c>ILogger&lt;FaceNetModel&gt;</c> of the host); <see cref="IFaceEncoder"/>, the shared <see cref="CoalescingFaceEncoder"/>
/// over it, which batches the faces of concurrent requests; <see cref="IFaceDetector"/>, the MTCNN detector when
/// <see cref="FaceNetOptions.Mtcnn"/> is set (it resolves to null otherwise); <see cref="IFaceGallery"/>, opened from
/// <see cref="FaceNetOptions.Gallery"/> by the first registered <see cref="IFaceGalleryFactory"/> whose
/// <see cref="IFaceGalleryFactory.CanOpen"/> is true (the gallery-file factory is registered here; others, such as
/// PostgreSQL's, add theirs), resolving to null when no gallery is configured.</para>
/// <para>The process-wide native settings stay <see cref="FaceNetRuntime.Configure"/>'s: a host that owns its
/// process opts into the malloc and OpenMP tunings with <see cref="FaceNetRuntimeOptions.WithProcessTuning"/> before
/// building. When no logger factory was configured there, the native initialisation (once per process) logs through
/// the host's factory; the process-wide fallback is left as it was.</para>
/// <para>Building the encoder and opening the gallery happen on first resolution, synchronously (a catalogue name
/// is fetched into the cache then): resolve <see cref="IFaceEncoder"/> at start-up (the HTTP service does) so the
/// first request does not wait for it. Call once per service collection; thread-safe as the container is.</para>
/// </remarks>
public static class FaceNetServiceCollectionExtensions
{
    /// <summary>Registers FaceNet.Net with options bound from <paramref name="configuration"/> (the <c>FaceNet</c> section).</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The section holding <c>Weights</c>, <c>Mtcnn</c>, <c>Gallery</c>, ... (see <see cref="FaceNetOptions"/>).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFaceNet(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FaceNetOptions>().Bind(configuration);
        return services.AddFaceNetServices();
    }

    /// <summary>Registers FaceNet.Net with options set in code.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options (see <see cref="FaceNetOptions"/>).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFaceNet(this IServiceCollection services, Action<FaceNetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FaceNetOptions>().Configure(configure);
        return services.AddFaceNetServices();
    }

    private static IServiceCollection AddFaceNetServices(this IServiceCollection services)
    {
        services.AddOptions<FaceNetOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FaceNetOptions>, FaceNetOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFaceGalleryFactory, FileFaceGalleryFactory>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<FaceNetOptions>>().Value);
        services.TryAddSingleton<IFaceDetector>(sp => FaceNetComponents.CreateDetector(sp.GetRequiredService<FaceNetOptions>(), LoggerFactoryOf(sp))!);
        services.TryAddSingleton(sp => FaceNetComponents.CreateEncoder(sp.GetRequiredService<FaceNetOptions>(), sp.GetService<IFaceDetector>(), LoggerFactoryOf(sp)));
        services.TryAddSingleton<IFaceEncoder>(sp => new CoalescingFaceEncoder(sp.GetRequiredService<FaceEncoder>(), sp.GetRequiredService<FaceNetOptions>().MaxBatchSize));
        services.TryAddSingleton<IFaceGallery>(sp =>
        {
            var options = sp.GetRequiredService<FaceNetOptions>();
            if (options.Gallery is null) return null!;
            var encoder = sp.GetRequiredService<IFaceEncoder>();
            return FaceNetComponents.OpenGallery(options.Gallery, sp.GetServices<IFaceGalleryFactory>(), encoder.Fingerprint, encoder.EmbeddingSize);
        });
        return services;
    }

    /// <summary>
    /// The host's logger factory. When the native runtime is not initialised yet and no process-wide factory was
    /// configured, initialises it with the host's factory lent for that call only, so the one-time native lines reach
    /// the host's logs without the process keeping a factory the host will dispose.
    /// </summary>
    private static ILoggerFactory LoggerFactoryOf(IServiceProvider services)
    {
        var factory = services.GetService<ILoggerFactory>();
        if (factory is null) return FaceNetRuntime.LoggerFactory;
        if (FaceNetRuntime.Report is null && FaceNetRuntime.Options.LoggerFactory is null)
        {
            FaceNetRuntime.LoggerFactory = factory;
            try
            {
                FaceNetRuntime.EnsureInitialized();
            }
            finally
            {
                FaceNetRuntime.Configure(FaceNetRuntime.Options with { LoggerFactory = null });
            }
        }
        return factory;
    }
}
