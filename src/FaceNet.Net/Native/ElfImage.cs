using System.Buffers.Binary;
using System.Text;

namespace FaceNet.Net.Native;

/// <summary>
/// A minimal reader of 64-bit little-endian ELF shared objects: just enough to list the symbol
/// versions an object requires (<c>.gnu.version_r</c>) and defines (<c>.gnu.version_d</c>).
/// Every offset is bounds-checked; malformed input gives <see cref="ElfFormatException"/>.
/// </summary>
/// <remarks>Immutable after construction; safe to share between threads.</remarks>
internal sealed class ElfImage
{
    /// <summary><c>VER_FLG_WEAK</c>: the requirement is weak.</summary>
    public const ushort VerFlagWeak = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    private readonly byte[] _bytes;

    private ElfImage(byte[] bytes)
    {
        _bytes = bytes;
        Parse(out var needs, out var defs);
        VersionNeeds = needs;
        VersionDefinitions = defs;
    }

    /// <summary>Every version requirement, in file order.</summary>
    public IReadOnlyList<ElfVersionNeed> VersionNeeds { get; }

    /// <summary>Every version the object defines (for libstdc++: <c>GLIBCXX_3.4</c> ... ).</summary>
    public IReadOnlyCollection<string> VersionDefinitions { get; }

    /// <summary>Reads an ELF file.</summary>
    /// <exception cref="ElfFormatException">The file is not a 64-bit little-endian ELF object.</exception>
    public static ElfImage Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses ELF bytes already in memory. The array is not copied and must not change.</summary>
    public static ElfImage Parse(byte[] bytes, string description = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return new ElfImage(bytes);
        }
        catch (ElfFormatException e)
        {
            throw new ElfFormatException($"{description}: {e.Message}");
        }
    }

    private void Parse(out IReadOnlyList<ElfVersionNeed> needs, out IReadOnlyCollection<string> defs)
    {
        if (_bytes.Length < 64 || _bytes[0] != 0x7f || _bytes[1] != (byte)'E' || _bytes[2] != (byte)'L' || _bytes[3] != (byte)'F')
            throw new ElfFormatException("not an ELF file (bad magic)");
        if (_bytes[4] != 2) throw new ElfFormatException("only 64-bit ELF objects are supported");
        if (_bytes[5] != 1) throw new ElfFormatException("only little-endian ELF objects are supported");

        long shoff = Offset(U64(40));
        int shentsize = U16(58);
        int shnum = U16(60);
        if (shoff == 0 || shnum == 0) throw new ElfFormatException("the object has no section headers");
        if (shentsize < 64) throw new ElfFormatException($"section header size {shentsize} is too small");
        Require(shoff, (long)shentsize * shnum, "section header table");

        var sections = new Section[shnum];
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            sections[i] = new Section(U32(h + 4), Offset(U64(h + 24)), Offset(U64(h + 32)), U32(h + 40), U32(h + 44));
        }

        var needList = new List<ElfVersionNeed>();
        var defSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in sections)
        {
            if (s.Type == ShtGnuVerneed) ReadVersionNeeds(s, sections, needList);
            else if (s.Type == ShtGnuVerdef) ReadVersionDefinitions(s, sections, defSet);
        }
        needs = needList;
        defs = defSet;
    }

    private void ReadVersionNeeds(Section s, Section[] sections, List<ElfVersionNeed> into)
    {
        var strings = StringTable(s, sections);
        Require(s.Offset, s.Size, ".gnu.version_r");
        long entry = s.Offset;
        for (uint i = 0; i < s.Info; i++)
        {
            Require(entry, 16, "Elf64_Verneed");
            int count = U16(entry + 2);
            string file = String(strings, U32(entry + 4));
            long aux = entry + U32(entry + 8);
            for (int j = 0; j < count; j++)
            {
                Require(aux, 16, "Elf64_Vernaux");
                into.Add(new ElfVersionNeed(file, String(strings, U32(aux + 8)), U16(aux + 4), aux + 4));
                uint next = U32(aux + 12);
                if (next == 0) break;
                aux += next;
            }
            uint nextEntry = U32(entry + 12);
            if (nextEntry == 0) break;
            entry += nextEntry;
        }
    }

    private void ReadVersionDefinitions(Section s, Section[] sections, HashSet<string> into)
    {
        var strings = StringTable(s, sections);
        Require(s.Offset, s.Size, ".gnu.version_d");
        long entry = s.Offset;
        for (uint i = 0; i < s.Info; i++)
        {
            Require(entry, 20, "Elf64_Verdef");
            int count = U16(entry + 6);
            if (count > 0)
            {
                long aux = entry + U32(entry + 12);
                Require(aux, 8, "Elf64_Verdaux");
                into.Add(String(strings, U32(aux))); // the first aux names the version itself
            }
            uint next = U32(entry + 16);
            if (next == 0) break;
            entry += next;
        }
    }

    private Section StringTable(Section s, Section[] sections)
    {
        if (s.Link >= sections.Length) throw new ElfFormatException("version section links to a missing string table");
        var table = sections[s.Link];
        Require(table.Offset, table.Size, "string table");
        return table;
    }

    private string String(Section table, uint offset)
    {
        if (offset >= table.Size) throw new ElfFormatException("string offset outside its table");
        long start = table.Offset + offset;
        long end = start;
        long limit = table.Offset + table.Size;
        while (end < limit && _bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(_bytes, (int)start, (int)(end - start));
    }

    private void Require(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > _bytes.Length || length > _bytes.Length - offset)
            throw new ElfFormatException($"{what} lies outside the file (offset {offset}, length {length}, file {_bytes.Length} bytes)");
    }

    /// <summary>A 64-bit file offset or size, which must fit in the file.</summary>
    private long Offset(ulong value) =>
        value <= (ulong)_bytes.Length ? (long)value : throw new ElfFormatException($"offset or size {value} exceeds the file ({_bytes.Length} bytes)");

    private ushort U16(long at) { Require(at, 2, "field"); return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)at)); }
    private uint U32(long at) { Require(at, 4, "field"); return BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)at)); }
    private ulong U64(long at) { Require(at, 8, "field"); return BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)at)); }

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);
}
