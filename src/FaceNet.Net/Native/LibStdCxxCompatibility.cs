namespace FaceNet.Net.Native;

/// <summary>What the loader must do about TorchSharp's libstdc++ symbol-version requirements on this host.</summary>
internal enum CompatibilityAction
{
    /// <summary>The host libstdc++ defines every version the library needs: load it as shipped.</summary>
    NotNeeded,

    /// <summary>Some versions are missing, all of them known to be harmless: load a copy with them marked weak.</summary>
    MarkWeak,

    /// <summary>A missing version is one the library really uses: the host needs a newer libstdc++.</summary>
    Unfixable,
}

/// <summary>The decision and the versions it concerns.</summary>
/// <param name="Action">What to do.</param>
/// <param name="MissingVersions">Versions the library needs that the host lacks (empty when <see cref="CompatibilityAction.NotNeeded"/>).</param>
internal sealed record CompatibilityDecision(CompatibilityAction Action, IReadOnlyList<string> MissingVersions);

/// <summary>
/// Decides whether TorchSharp's <c>libLibTorchSharp.so</c> can load against the host's libstdc++,
/// and if not, whether marking the missing versions weak is safe.
/// </summary>
internal static class LibStdCxxCompatibility
{
    /// <summary>The soname whose versions are checked.</summary>
    public const string LibStdCxx = "libstdc++.so.6";

    /// <summary>
    /// Versions that may be marked weak. TorchSharp 0.107.0 needs <c>GLIBCXX_3.4.32</c> for one symbol,
    /// <c>std::ios_base_library_init()</c>, which GCC 13 emits a reference to but the library never calls
    /// (facts, section 7). Anything else missing means real code would be unresolved, so it is not patched.
    /// </summary>
    public static IReadOnlyCollection<string> HarmlessVersions { get; } = new[] { "GLIBCXX_3.4.32" };

    /// <summary>Compares what <paramref name="library"/> needs from libstdc++ with what the host defines.</summary>
    public static CompatibilityDecision Decide(ElfImage library, IReadOnlyCollection<string> hostDefinedVersions)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(hostDefinedVersions);
        var missing = library.VersionNeeds
            .Where(n => n.Library == LibStdCxx && !n.IsWeak && !hostDefinedVersions.Contains(n.Version))
            .Select(n => n.Version)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(v => v, StringComparer.Ordinal)
            .ToList();
        if (missing.Count == 0) return new CompatibilityDecision(CompatibilityAction.NotNeeded, missing);
        bool allHarmless = missing.All(v => HarmlessVersions.Contains(v));
        return new CompatibilityDecision(allHarmless ? CompatibilityAction.MarkWeak : CompatibilityAction.Unfixable, missing);
    }
}
