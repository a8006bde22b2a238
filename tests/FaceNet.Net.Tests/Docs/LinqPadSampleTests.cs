using System.Xml.Linq;
using FaceNet.Net.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FaceNet.Net.Tests.Docs;

/// <summary>
/// Compiles the LINQPad sample <c>docs/samples/FaceNetQuickStart.linq</c> with Roslyn against the FaceNet.Net
/// assembly and its dependencies, as LINQPad would run it: the code after the XML header becomes the members of a
/// <c>UserQuery</c> class (the "Program" query kind), the header's namespaces and LINQPad's default ones become
/// using directives, and a small <c>Dump</c> extension stands in for LINQPad's.
/// </summary>
public class LinqPadSampleTests
{
    private static readonly string Sample = Path.Combine(SharedFixtures.RepositoryRoot, "docs", "samples", "FaceNetQuickStart.linq");

    /// <summary>The namespaces LINQPad imports into every C# query.</summary>
    private static readonly string[] LinqPadDefaultNamespaces =
    [
        "System", "System.Collections", "System.Collections.Generic", "System.Data", "System.Diagnostics", "System.IO",
        "System.Linq", "System.Linq.Expressions", "System.Reflection", "System.Text", "System.Text.RegularExpressions",
        "System.Threading", "System.Threading.Tasks", "System.Xml", "System.Xml.Linq",
    ];

    private const string DumpShim = """
        public static class LinqPadDumpShim
        {
            public static T Dump<T>(this T value, string? description = null) => value;
        }
        """;

    [Test]
    public void The_header_is_a_Program_query_referencing_FaceNet_Net_and_a_native_backend()
    {
        var (header, _) = Split(File.ReadAllText(Sample));
        Assert.That(header.Attribute("Kind")?.Value, Is.EqualTo("Program"));
        var packages = header.Elements("NuGetReference").ToDictionary(e => e.Value, e => e.Attribute("Version")?.Value);
        Assert.That(packages, Does.ContainKey("FaceNet.Net"));
        Assert.That(packages["FaceNet.Net"], Is.EqualTo(typeof(FaceNetRuntime).Assembly.GetName().Version!.ToString(3)),
            "the sample references the version this repository builds");
        Assert.That(packages.Keys, Has.Some.Matches<string>(k => k.StartsWith("TorchSharp-", StringComparison.Ordinal) || k.StartsWith("libtorch-", StringComparison.Ordinal)),
            "a native backend package is referenced");
    }

    [Test]
    public void The_query_compiles_against_the_library()
    {
        var (header, code) = Split(File.ReadAllText(Sample));
        var usings = LinqPadDefaultNamespaces.Concat(header.Elements("Namespace").Select(e => e.Value))
            .Select(ns => $"using {ns};");
        var source = string.Join("\n", usings) + "\n\npublic partial class UserQuery\n{\n#line 1 \"FaceNetQuickStart.linq\"\n" + code + "\n#line default\n}\n\n" + DumpShim;

        var compilation = CSharpCompilation.Create("LinqPadQuery",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var output = new MemoryStream();
        var emitted = compilation.Emit(output);

        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.That(errors, Is.Empty, "the LINQPad sample does not compile:\n" + string.Join("\n", errors));
        Assert.That(emitted.Success, Is.True);
        Assert.That(code, Does.Contain("FaceEncoder.FromWeights").And.Contain("Verify").And.Contain("WhoIsIt"), "the sample walks the seed workflow");
    }

    /// <summary>The header element and the code after it.</summary>
    private static (XElement Header, string Code) Split(string text)
    {
        const string end = "</Query>";
        var at = text.IndexOf(end, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), "a .linq file starts with an XML <Query> header");
        var header = XElement.Parse(text[..(at + end.Length)]);
        return (header, text[(at + end.Length)..]);
    }

    /// <summary>The framework (the trusted platform assemblies of this process) plus the library and its dependencies from the test's output folder.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var local = new[] { "FaceNet.Net.dll", "TorchSharp.dll", "SixLabors.ImageSharp.dll", "Microsoft.Extensions.Logging.Abstractions.dll" }
            .Select(f => Path.Combine(AppContext.BaseDirectory, f));
        return tpa.Concat(local).Where(File.Exists).Distinct(StringComparer.Ordinal)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First())
            .Select(p => MetadataReference.CreateFromFile(p));
    }
}
