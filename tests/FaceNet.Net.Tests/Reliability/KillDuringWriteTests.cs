using System.Diagnostics;
using System.Security.Cryptography;
using FaceNet.Net.Tests.Infrastructure;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceNet.Net.Tests.Reliability;

/// <summary>
/// Must show 5 of issue 19: <c>kill -9</c> of <c>facenet enroll</c> and of <c>facenet-convert convert -o</c> at
/// seeded random moments leaves the target the old or the new version, byte for byte; the temporary files the
/// killed runs left are removed by the next successful run, which says so on stderr; and the TorchScript archives
/// of the killed processes in the temp folder are gone too.
/// </summary>
[Category(TestCategories.Soak)]
[NonParallelizable]
public class KillDuringWriteTests
{
    private const int Kills = 50;

    [Test]
    public void R12_killed_enrolls_leave_the_old_or_the_new_gallery_and_the_next_run_removes_their_temporary_files()
    {
        using var folder = new TempFolder();
        var weights = folder.File("w.safetensors");
        FaceNetWeights.WriteSynthetic(weights, 128, seed: 5);
        var face1 = WriteFace(folder.File("a.png"), 1);
        var face2 = WriteFace(folder.File("b.png"), 2);
        var gallery = folder.File("people.fng");
        string[] Enroll(string name, string image) =>
            [BuiltTools.FaceNetCli, "enroll", "--gallery", gallery, "--name", name, "--aligned", image, "--weights", weights];

        Succeed(Enroll("ana", face1));
        var oldBytes = File.ReadAllBytes(gallery);
        var timer = Stopwatch.StartNew();
        Succeed(Enroll("ben", face2));
        var duration = timer.Elapsed;
        var newHash = Hash(File.ReadAllBytes(gallery));

        var outcome = KillRepeatedly(Enroll("ben", face2), duration, seed: 19, gallery, oldBytes, Hash(oldBytes), newHash);

        Assert.That(outcome.Killed, Is.GreaterThan(0), "some runs were killed");
        var last = Succeed(Enroll("ben", face2));
        AssertClean(folder, outcome, last, "facenet: removed");
        Assert.That(Hash(File.ReadAllBytes(gallery)), Is.EqualTo(newHash));
    }

    [Test]
    public void R12_killed_conversions_leave_the_old_or_the_new_file_and_the_next_run_removes_their_temporary_files()
    {
        using var folder = new TempFolder();
        var oldSource = folder.File("old.pt");
        var newSource = folder.File("new.pt");
        TorchSaveWriter.WriteZip(oldSource, TorchSaveWriter.FaceNetStateDict(SyntheticWeights.Create(128, 1)));
        TorchSaveWriter.WriteZip(newSource, TorchSaveWriter.FaceNetStateDict(SyntheticWeights.Create(128, 2)));
        var target = folder.File("out.safetensors");
        string[] Convert(string source) => [BuiltTools.Converter, "convert", source, "-o", target];

        Succeed(Convert(oldSource));
        var oldBytes = File.ReadAllBytes(target);
        var timer = Stopwatch.StartNew();
        Succeed(Convert(newSource));
        var duration = timer.Elapsed;
        var newHash = Hash(File.ReadAllBytes(target));
        Assert.That(newHash, Is.Not.EqualTo(Hash(oldBytes)));

        var outcome = KillRepeatedly(Convert(newSource), duration, seed: 23, target, oldBytes, Hash(oldBytes), newHash);

        Assert.That(outcome.Killed, Is.GreaterThan(0), "some runs were killed");
        Assert.That(outcome.CaughtWriting, Is.GreaterThan(0), "some kills caught a write (its 90 MB take long enough)");
        var last = Succeed(Convert(newSource));
        AssertClean(folder, outcome, last, "facenet-convert: removed");
        Assert.That(Hash(File.ReadAllBytes(target)), Is.EqualTo(newHash));
        Assert.That(FaceNetWeights.Inspect(target).EmbeddingSize, Is.EqualTo(128), "the file loads");
    }

    private sealed record Outcome(int Killed, int CaughtWriting, int TemporaryFilesLeft, List<int> Pids);

    /// <summary>
    /// Starts the command <see cref="Kills"/> times and kills each with SIGKILL: every other run after a seeded
    /// random delay within 1.2 times a whole run's duration, the others a seeded 0 to 150 ms after their write began; after each, the target must be byte-for-byte the old or the new version. The
    /// target is reset to the old version before each run (and after the last), so each kill can catch a write.
    /// </summary>
    private static Outcome KillRepeatedly(string[] command, TimeSpan duration, int seed, string target, byte[] oldBytes, string oldHash, string newHash)
    {
        var random = new Random(seed);
        var folder = Path.GetDirectoryName(target)!;
        int killed = 0, caught = 0;
        var pids = new List<int>();
        for (int i = 0; i < Kills; i++)
        {
            File.WriteAllBytes(target, oldBytes);
            var delay = TimeSpan.FromMilliseconds(random.NextDouble() * 1.2 * duration.TotalMilliseconds);
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in command) info.ArgumentList.Add(a);
            using var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            pids.Add(process.Id);
            bool running = i % 2 == 0
                ? !process.WaitForExit(delay)
                : !WaitForWriteThenPause(process, folder, random, 1.5 * duration, out delay);
            if (running)
            {
                process.Kill(entireProcessTree: false); // SIGKILL on Unix
                killed++;
            }
            process.WaitForExit();
            if (Directory.EnumerateFiles(folder, $"*.facenet-tmp-{process.Id}-*").Any()) caught++;
            var hash = Hash(File.ReadAllBytes(target));
            Assert.That(hash, Is.EqualTo(oldHash).Or.EqualTo(newHash), $"run {i} (killed after {delay.TotalMilliseconds:F0} ms): the target is the old or the new version");
        }
        File.WriteAllBytes(target, oldBytes); // the last, successful run then writes the new version again
        var left = Directory.GetFiles(Path.GetDirectoryName(target)!, "*.facenet-tmp-*").Length;
        TestContext.Progress.WriteLine($"{Path.GetFileName(target)}: {killed} of {Kills} runs killed (one run {duration.TotalMilliseconds:F0} ms), "
            + $"{caught} killed while writing (a temporary file left), {left} of those still there before the last run (the next writes remove stale ones)");
        return new Outcome(killed, caught, left, pids);
    }

    /// <summary>
    /// Waits until the process has a temporary file beside the target (its write has begun), then a seeded 0 to 150
    /// ms more: the kill then lands inside or just after the write. False when the process ended first.
    /// </summary>
    private static bool WaitForWriteThenPause(Process process, string folder, Random random, TimeSpan limit, out TimeSpan waited)
    {
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(random.Next(150));
        while (clock.Elapsed < limit && !process.HasExited)
        {
            if (Directory.EnumerateFiles(folder, $"*.facenet-tmp-{process.Id}-*").Any())
            {
                bool exited = process.WaitForExit(pause);
                waited = clock.Elapsed;
                return exited;
            }
            Thread.Sleep(2);
        }
        waited = clock.Elapsed;
        return process.HasExited;
    }

    private static void AssertClean(TempFolder folder, Outcome outcome, ProcessRunner.Result last, string notice)
    {
        Assert.Multiple(() =>
        {
            Assert.That(folder.Files().Where(f => f.Contains(".facenet-tmp-", StringComparison.Ordinal)), Is.Empty, "no temporary file remains");
            if (outcome.TemporaryFilesLeft > 0)
                Assert.That(last.StandardError, Does.Contain(notice), "the run says it removed something");
            var orphans = Directory.GetFiles(Path.GetTempPath(), "facenet-*.pt")
                .Where(f => outcome.Pids.Any(pid => Path.GetFileName(f).Contains($"-{pid}-", StringComparison.Ordinal))).ToList();
            Assert.That(orphans, Is.Empty, "no TorchScript archive of a killed process remains in the temp folder");
        });
    }

    private static ProcessRunner.Result Succeed(string[] command)
    {
        var result = ProcessRunner.Run("dotnet", command, SharedFixtures.RepositoryRoot, TimeSpan.FromMinutes(3));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        return result;
    }

    private static string WriteFace(string path, int seed)
    {
        var random = new Random(seed);
        using var image = new Image<Rgb24>(160, 160);
        for (int y = 0; y < 160; y++)
            for (int x = 0; x < 160; x++)
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        image.SaveAsPng(path);
        return path;
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
