using System.Collections;
using System.Reflection;
using PureHDF;

namespace FaceNet.Net.Weights;

/// <summary>
/// Refuses HDF5 groups that hold soft or external links before PureHDF is asked to look anything up in them.
/// PureHDF 2.2.0 resolves a soft link by looking its target up again, without limit and without reading the
/// file, so a corrupted file whose link points at itself recurses until the stack overflows, which kills the
/// process. Keras (h5py) never writes soft or external links, so refusing them loses nothing. The check reads
/// PureHDF's already-decoded object header through reflection (the version is pinned); if that shape is not
/// found the check does nothing and <see cref="GuardedStream"/> remains the only guard.
/// </summary>
internal static class Hdf5LinkGuard
{
    private static readonly Type? NativeObjectType = typeof(H5File).Assembly.GetType("PureHDF.VOL.Native.NativeObject");
    private static readonly PropertyInfo? HeaderProperty = NativeObjectType?.GetProperty("Header", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? ObjectHeaderType = typeof(H5File).Assembly.GetType("PureHDF.VOL.Native.ObjectHeader");
    private static readonly PropertyInfo? MessagesProperty = ObjectHeaderType?.GetProperty("HeaderMessages", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? HeaderMessageType = typeof(H5File).Assembly.GetType("PureHDF.VOL.Native.HeaderMessage");
    private static readonly PropertyInfo? DataProperty = HeaderMessageType?.GetProperty("Data", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? LinkMessageType = typeof(H5File).Assembly.GetType("PureHDF.VOL.Native.LinkMessage");
    private static readonly PropertyInfo? LinkInfoProperty = LinkMessageType?.GetProperty("LinkInfo", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    private static readonly Type? HardLinkInfoType = typeof(H5File).Assembly.GetType("PureHDF.VOL.Native.HardLinkInfo");

    /// <summary>Whether the check can run against this PureHDF build.</summary>
    public static bool IsActive => HeaderProperty is not null && MessagesProperty is not null && DataProperty is not null
        && LinkMessageType is not null && LinkInfoProperty is not null && HardLinkInfoType is not null;

    /// <summary>Throws when <paramref name="group"/>'s header holds a link other than a hard link.</summary>
    /// <exception cref="WeightLoadException">A soft or external link.</exception>
    public static void EnsureHardLinksOnly(IH5Group group, string path)
    {
        if (!IsActive || !NativeObjectType!.IsInstanceOfType(group)) return;
        if (HeaderProperty!.GetValue(group) is not { } header || MessagesProperty!.GetValue(header) is not IEnumerable messages) return;
        foreach (var message in messages)
        {
            var data = DataProperty!.GetValue(message);
            if (data is null || !LinkMessageType!.IsInstanceOfType(data)) continue;
            var info = LinkInfoProperty!.GetValue(data);
            if (info is not null && !HardLinkInfoType!.IsInstanceOfType(info))
                throw new WeightLoadException($"'{path}' is not a Keras weight file or is corrupt: group '{group.Name}' holds a soft or external link, which Keras never writes");
        }
    }
}
