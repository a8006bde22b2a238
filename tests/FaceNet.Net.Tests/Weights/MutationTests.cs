using System.Diagnostics;
using FaceNet.Net.Tests.Weights.Support;
using FaceNet.Net.Weights;

namespace FaceNet.Net.Tests.Weights;

/// <summary>
/// Thousands of random byte flips and truncations of small valid files never crash or hang the reader:
/// every failure is the library's own <see cref="WeightLoadException"/>.
/// </summary>
public class MutationTests
{
    [TestCase("keras.h5", 1500)]
    [TestCase("small.safetensors", 3000)]
    public void Corrupted_files_fail_only_with_the_library_exception(string name, int mutations)
    {
        using var temp = new TempFolder();
        var original = temp.File(name);
        if (name.EndsWith(".h5", StringComparison.Ordinal)) SmallFiles.WriteSmallKeras(original);
        else SmallFiles.WriteSmallSafetensors(original);
        SmallFiles.ReadEverything(original); // the unmutated file is valid
        var bytes = File.ReadAllBytes(original);
        var mutated = temp.File("mutated-" + name);
        var random = new Random(12345);
        var foreign = new List<string>();
        int failures = 0, accepted = 0;

        var run = Task.Run(() =>
        {
            for (int i = 0; i < mutations; i++)
            {
                byte[] copy;
                if (i % 5 == 4) copy = bytes[..random.Next(bytes.Length)];
                else
                {
                    copy = (byte[])bytes.Clone();
                    int flips = 1 + random.Next(4);
                    for (int f = 0; f < flips; f++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }
                File.WriteAllBytes(mutated, copy);
                try
                {
                    SmallFiles.ReadEverything(mutated);
                    accepted++;
                }
                catch (WeightLoadException)
                {
                    failures++;
                }
                catch (Exception e)
                {
                    foreign.Add($"mutation {i}: {e.GetType().Name}: {e.Message}");
                }
            }
        });
        var sw = Stopwatch.StartNew();
        Assert.That(run.Wait(TimeSpan.FromSeconds(60)), Is.True, "the reader hung on a corrupted file");
        TestContext.Out.WriteLine($"{name}: {mutations} mutations in {sw.ElapsedMilliseconds} ms: {failures} rejected, {accepted} still readable");
        Assert.That(foreign, Is.Empty, string.Join("\n", foreign.Take(20)));
        Assert.That(failures, Is.GreaterThan(mutations / 10), "most mutations must be noticed");
    }
}
