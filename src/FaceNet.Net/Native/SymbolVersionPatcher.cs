using System.Buffers.Binary;

namespace FaceNet.Net.Native;

/// <summary>
/// Marks chosen symbol-version requirements of an ELF object weak (<c>VER_FLG_WEAK</c> in
/// <c>vna_flags</c>), so the dynamic loader accepts a host library that lacks those versions.
/// Only the two flag bytes of each chosen entry change; every other byte is kept.
/// </summary>
internal static class SymbolVersionPatcher
{
    /// <summary>
    /// Returns a copy of <paramref name="original"/> with every requirement of
    /// <paramref name="library"/> whose version is in <paramref name="versions"/> marked weak.
    /// </summary>
    /// <exception cref="ElfFormatException">The bytes are not an ELF object, or a named version is not required.</exception>
    public static byte[] MarkWeak(byte[] original, string library, IReadOnlyCollection<string> versions)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(versions);
        var image = ElfImage.Parse(original);
        var patched = (byte[])original.Clone();
        foreach (var version in versions)
        {
            var need = image.VersionNeeds.FirstOrDefault(n => n.Library == library && n.Version == version)
                ?? throw new ElfFormatException($"the object does not require {version} from {library}");
            ushort flags = (ushort)(need.Flags | ElfImage.VerFlagWeak);
            BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan((int)need.FlagsFileOffset, 2), flags);
        }
        return patched;
    }
}
