using FaceNet.Net.Native;

namespace FaceNet.Net.Tests.Native;

public class ElfImageTests
{
    internal static string ShippedLibTorchSharp
    {
        get
        {
            var path = System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            if (!File.Exists(path)) Assert.Ignore("libLibTorchSharp.so (linux-x64) is not in the test output on this platform.");
            return path;
        }
    }

    [Test]
    public void Finds_the_GLIBCXX_3_4_32_requirement_in_the_restored_TorchSharp_library()
    {
        var image = ElfImage.Read(ShippedLibTorchSharp);
        var need = image.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Multiple(() =>
        {
            Assert.That(need.Library, Is.EqualTo("libstdc++.so.6"));
            Assert.That(need.IsWeak, Is.False);
            Assert.That(image.VersionNeeds.Count(n => n.Library == "libstdc++.so.6"), Is.GreaterThan(10));
            Assert.That(image.VersionNeeds.Any(n => n.Library == "libc.so.6" && n.Version == "GLIBC_2.2.5"), Is.True);
        });
    }

    [Test]
    public void Reads_the_versions_the_host_libstdcxx_defines()
    {
        var host = MappedLibraries.FindLibStdCxx();
        if (host is null) Assert.Ignore("No libstdc++ is mapped in this process (not Linux?).");
        var defined = ElfImage.Read(host!).VersionDefinitions;
        Assert.That(defined, Does.Contain("GLIBCXX_3.4").And.Contain("CXXABI_1.3"));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(63)]
    [TestCase(4096)]
    public void A_truncated_library_is_a_format_error(int length)
    {
        var bytes = File.ReadAllBytes(ShippedLibTorchSharp).AsSpan(0, length).ToArray();
        Assert.Throws<ElfFormatException>(() => ElfImage.Parse(bytes));
    }

    [Test]
    public void Random_bytes_are_a_format_error()
    {
        var bytes = new byte[10_000];
        new Random(7).NextBytes(bytes);
        var e = Assert.Throws<ElfFormatException>(() => ElfImage.Parse(bytes, "noise.bin"));
        Assert.That(e!.Message, Does.Contain("noise.bin").And.Contain("magic"));
    }

    [Test]
    public void Corrupting_header_fields_never_escapes_as_anything_but_a_format_error()
    {
        var original = File.ReadAllBytes(ShippedLibTorchSharp);
        var random = new Random(11);
        for (int i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            // Flip bytes in the ELF header and in the section header table, where offsets live.
            long shoff = BitConverter.ToInt64(original, 40);
            for (int k = 0; k < 4; k++)
            {
                int at = random.Next(2) == 0 ? random.Next(16, 64) : (int)(shoff + random.Next(0, (int)Math.Min(64 * 40, original.Length - shoff)));
                bytes[at] = (byte)random.Next(256);
            }
            try { ElfImage.Parse(bytes); }
            catch (ElfFormatException) { }
        }
        Assert.Pass("300 corrupted headers gave either a parse or an ElfFormatException.");
    }
}
