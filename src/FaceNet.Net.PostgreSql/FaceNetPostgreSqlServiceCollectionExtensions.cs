using FaceNet.Net.PostgreSql;
using FaceNet.Net.Recognition;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers FaceNet.Net's PostgreSQL gallery with a service collection.</summary>
public static class FaceNetPostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="PostgreSqlFaceGalleryFactory"/> as an <see cref="IFaceGalleryFactory"/> (a singleton, once
    /// however often this is called), so a host that opens galleries by location accepts PostgreSQL URIs and
    /// connection strings.
    /// </summary>
    public static IServiceCollection AddFaceNetPostgreSql(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFaceGalleryFactory, PostgreSqlFaceGalleryFactory>());
        return services;
    }
}
