using System.CommandLine;
using FaceNet.Net.CommandLine;
using FaceNet.Net.Devices;
using TorchSharp;

namespace FaceNet.Net.Cli.Commands;

/// <summary><c>facenet info</c>: versions, the native compatibility fix, threads and CUDA devices.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("info", "Show library, TorchSharp and libtorch versions, the native fix, CPU threads and CUDA devices") { json };
        command.SetAction(parse =>
        {
            var info = Collect();
            if (parse.GetValue(json)) CliHost.WriteJson(info);
            else
            {
                Console.WriteLine($"FaceNet.Net            {info.LibraryVersion}");
                Console.WriteLine($"TorchSharp             {info.TorchSharpVersion}");
                Console.WriteLine($"libtorch               {info.LibTorchVersion}");
                Console.WriteLine($"libstdc++ fix applied  {(info.CompatibilityFixApplied ? "yes" : "no")} ({info.CompatibilityNote})");
                Console.WriteLine($"CPU threads            {info.CpuThreads} (of {info.ProcessorCount} processors)");
                Console.WriteLine($"OpenMP spin count      {info.OpenMpSpinCount ?? "libgomp's default"}");
                Console.WriteLine($"CUDA available         {(info.CudaAvailable ? "yes" : "no")}");
                foreach (var d in info.CudaDevices) Console.WriteLine($"  cuda:{d.Index}  {d.Name}");
            }
            return CliHost.Success;
        });
        return command;
    }

    private static RuntimeInfo Collect()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        bool cuda = CudaDevices.IsAvailable;
        var devices = Enumerable.Range(0, CudaDevices.Count).Select(i => new CudaDeviceInfo(i, CudaDevices.GetName(i))).ToList();
        return new RuntimeInfo(
            FaceNetRuntime.Version, report.TorchSharpVersion, report.LibTorchVersion,
            report.CompatibilityFixApplied, report.WeakenedVersions, report.Note,
            torch.get_num_threads(), Environment.ProcessorCount, report.OpenMpSpinCount, cuda, devices);
    }

    private sealed record CudaDeviceInfo(int Index, string Name);

    private sealed record RuntimeInfo(
        string LibraryVersion, string TorchSharpVersion, string LibTorchVersion,
        bool CompatibilityFixApplied, IReadOnlyList<string> WeakenedVersions, string CompatibilityNote,
        int CpuThreads, int ProcessorCount, string? OpenMpSpinCount, bool CudaAvailable, IReadOnlyList<CudaDeviceInfo> CudaDevices);
}
