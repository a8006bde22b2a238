using FaceNet.Net.Tests.Infrastructure;

namespace FaceNet.Net.Tests.Cli;

/// <summary>Runs the built <c>facenet</c> tool (same configuration as the tests); ignores the test when it is not built.</summary>
internal static class FacenetCli
{
    public static ProcessRunner.Result Run(params string[] arguments) => Run(null, arguments);

    /// <summary>Runs the tool with <paramref name="environment"/> changes (a null value removes the variable).</summary>
    public static ProcessRunner.Result Run(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dll = Path.Combine(SharedFixtures.RepositoryRoot, "src", "FaceNet.Net.Cli", "bin", configuration, "net10.0", "facenet.dll");
        if (!File.Exists(dll)) Assert.Ignore($"The facenet tool is not built ({dll}); build the solution first.");
        return ProcessRunner.Run("dotnet", new[] { dll }.Concat(arguments), SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(2), environment);
    }
}
