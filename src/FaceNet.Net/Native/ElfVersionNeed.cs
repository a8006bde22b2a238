namespace FaceNet.Net.Native;

/// <summary>
/// One symbol-version requirement of an ELF object (an <c>Elf64_Vernaux</c> entry of
/// <c>.gnu.version_r</c>): the object needs <see cref="Version"/> from <see cref="Library"/>.
/// </summary>
/// <param name="Library">The needed library's file name, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">The entry's <c>vna_flags</c>; bit <see cref="ElfImage.VerFlagWeak"/> marks a weak requirement.</param>
/// <param name="FlagsFileOffset">Where in the file the two bytes of <c>vna_flags</c> are.</param>
internal sealed record ElfVersionNeed(string Library, string Version, ushort Flags, long FlagsFileOffset)
{
    /// <summary>True when the dynamic loader tolerates this version being absent.</summary>
    public bool IsWeak => (Flags & ElfImage.VerFlagWeak) != 0;
}
