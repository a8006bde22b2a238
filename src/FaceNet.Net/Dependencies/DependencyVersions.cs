using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace FaceNet.Net.Dependencies;

/// <summary>
/// Checks, once per process, that the versions of ImageSharp, TorchSharp and PureHDF the app loads are ones the library
/// was built for, before any of their types is touched: an app that pins ImageSharp 4.x would otherwise fail deep
/// inside with <see cref="TypeLoadException"/> ("Could not load type 'SixLabors.ImageSharp.IImageInfo'"), and another
/// TorchSharp minor version is bound to another libtorch. NuGet warns about the same at restore (NU1608), from the
/// package's dependency ranges. Thread-safe.
/// </summary>
/// <remarks>
/// Called first by <see cref="FaceNetRuntime.EnsureInitialized"/> and by the image loading entry points. This class and
/// its callers' entry frames use no type of those libraries, so the check runs even when they cannot be loaded.
/// </remarks>
internal static class DependencyVersions
{
    /// <summary>One library the package depends on, and how much of its assembly version must match the one built against.</summary>
    /// <param name="AssemblyName">The assembly's simple name (also the package id).</param>
    /// <param name="MatchingParts">1: the major version must match; 2: major and minor.</param>
    /// <param name="PackageRange">The package's dependency range; the same as in Directory.Packages.props (a unit test compares them).</param>
    /// <param name="Why">Why another version does not work, for the message.</param>
    internal sealed record Rule(string AssemblyName, int MatchingParts, string PackageRange, string Why);

    /// <summary>The rules; docs/getting-started.md#versions-of-imagesharp-and-torchsharp says why.</summary>
    internal static readonly IReadOnlyList<Rule> Rules =
    [
        new("SixLabors.ImageSharp", 1, "[2.1.13,3.0.0)",
            "ImageSharp 3 and 4 removed types FaceNet.Net uses (such as IImageInfo) and are under a different (paid) licence, so FaceNet.Net stays on 2.1"),
        new("TorchSharp", 2, "[0.107.0,0.108.0)",
            "each TorchSharp minor version is bound to one libtorch (0.107 to libtorch 2.10) and changes its API"),
        new("PureHDF", 1, "[2.2.0,3.0.0)", "a new major version of PureHDF may change the reading API the Keras weight reader uses"),
    ];

    private static volatile bool _compatible;

    /// <summary>Throws when a dependency the app loads is not a version the library works with; does nothing after a successful check.</summary>
    /// <exception cref="IncompatibleDependencyException">A dependency is missing or of another version; the message names both versions and the fix.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnsureCompatible()
    {
        if (_compatible) return;
        var self = typeof(DependencyVersions).Assembly;
        var context = AssemblyLoadContext.GetLoadContext(self) ?? AssemblyLoadContext.Default;
        foreach (var rule in Rules)
        {
            var builtAgainst = self.GetReferencedAssemblies().FirstOrDefault(a => a.Name == rule.AssemblyName)?.Version;
            if (builtAgainst is null) continue;   // not referenced by this build: nothing can fail to bind
            Version? found;
            try
            {
                found = context.LoadFromAssemblyName(new AssemblyName(rule.AssemblyName)).GetName().Version;
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new IncompatibleDependencyException(rule.AssemblyName, null, rule.PackageRange,
                    $"FaceNet.Net {FaceNetRuntime.Version} needs {rule.AssemblyName} {rule.PackageRange}, which this app cannot load ({e.Message}). " +
                    $"Fix: reference the package {rule.AssemblyName} in that range (e.g. --version {LowestVersion(rule)}) or restore the app again.", e);
            }
            var message = Mismatch(rule, builtAgainst, found);
            if (message is not null) throw new IncompatibleDependencyException(rule.AssemblyName, found, rule.PackageRange, message);
        }
        _compatible = true;
    }

    /// <summary>The message when <paramref name="found"/> does not match <paramref name="builtAgainst"/> in the rule's parts; null when it does.</summary>
    internal static string? Mismatch(Rule rule, Version builtAgainst, Version? found)
    {
        bool matches = found is not null && found.Major == builtAgainst.Major && (rule.MatchingParts < 2 || found.Minor == builtAgainst.Minor);
        if (matches) return null;
        var wanted = rule.MatchingParts < 2 ? $"{builtAgainst.Major}.x" : $"{builtAgainst.Major}.{builtAgainst.Minor}.x";
        return $"FaceNet.Net {FaceNetRuntime.Version} needs {rule.AssemblyName} {wanted} (package versions {rule.PackageRange}), " +
               $"but this app loads {rule.AssemblyName} {found?.ToString() ?? "of no version"}: {rule.Why}. " +
               $"Fix: reference {rule.AssemblyName} {LowestVersion(rule)} (or a later version in {rule.PackageRange}) in the app, " +
               $"or remove the app's own reference to {rule.AssemblyName} so that NuGet picks the one FaceNet.Net asks for. " +
               "NuGet warned about this at restore (NU1608).";
    }

    private static string LowestVersion(Rule rule) => rule.PackageRange.TrimStart('[', '(').Split(',')[0];
}
