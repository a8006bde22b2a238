using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Weights.Support;

/// <summary>Paths of the built tools, which tests run as processes.</summary>
internal static class BuiltTools
{
    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    /// <summary>The compiled <c>facenet.dll</c>.</summary>
    public static string FaceNetCli => Locate(Path.Combine("src", "FaceNet.Net.Cli"), "facenet.dll");

    /// <summary>The compiled <c>facenet-convert.dll</c>.</summary>
    public static string Converter => Locate("weights-converter", "facenet-convert.dll");

    private static string Locate(string project, string dll)
    {
        var path = Path.Combine(SharedFixtures.RepositoryRoot, project, "bin", Configuration, "net10.0", dll);
        if (!File.Exists(path)) Assert.Fail($"{dll} is not built at {path}: build the test project (it references the tool projects)");
        return path;
    }

    /// <summary>Runs a built tool with <c>dotnet</c>.</summary>
    public static ProcessRunner.Result Run(string dll, params string[] arguments) =>
        ProcessRunner.Run("dotnet", new[] { dll }.Concat(arguments), SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(3));
}
