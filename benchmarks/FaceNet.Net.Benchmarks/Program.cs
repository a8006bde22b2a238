using BenchmarkDotNet.Running;

namespace FaceNet.Net.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project benchmarks/FaceNet.Net.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks chosen on the command line.</summary>
    public static void Main(string[] args)
    {
        FaceNetRuntime.EnsureInitialized();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
