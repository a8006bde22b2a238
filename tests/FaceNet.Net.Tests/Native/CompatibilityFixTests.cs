using FaceNet.Net.Native;

namespace FaceNet.Net.Tests.Native;

public class CompatibilityFixTests
{
    private static readonly string[] Gcc12Versions = Enumerable.Range(0, 31).Select(i => i == 0 ? "GLIBCXX_3.4" : $"GLIBCXX_3.4.{i}")
        .Concat(Enumerable.Range(0, 14).Select(i => i == 0 ? "CXXABI_1.3" : $"CXXABI_1.3.{i}")).ToArray();

    private static readonly string[] Gcc13Versions = Gcc12Versions.Concat(new[] { "GLIBCXX_3.4.31", "GLIBCXX_3.4.32" }).ToArray();

    [Test]
    public void An_old_host_libstdcxx_needs_the_harmless_version_marked_weak()
    {
        var decision = LibStdCxxCompatibility.Decide(ElfImage.Read(ElfImageTests.ShippedLibTorchSharp), Gcc12Versions);
        Assert.That(decision.Action, Is.EqualTo(CompatibilityAction.MarkWeak));
        Assert.That(decision.MissingVersions, Is.EqualTo(new[] { "GLIBCXX_3.4.32" }));
    }

    [Test]
    public void A_new_enough_host_libstdcxx_skips_the_fix()
    {
        var decision = LibStdCxxCompatibility.Decide(ElfImage.Read(ElfImageTests.ShippedLibTorchSharp), Gcc13Versions);
        Assert.That(decision.Action, Is.EqualTo(CompatibilityAction.NotNeeded));
        Assert.That(decision.MissingVersions, Is.Empty);
    }

    [Test]
    public void A_missing_version_that_is_really_used_is_not_patched()
    {
        var tooOld = Gcc12Versions.Where(v => v != "GLIBCXX_3.4.30").ToArray();
        var decision = LibStdCxxCompatibility.Decide(ElfImage.Read(ElfImageTests.ShippedLibTorchSharp), tooOld);
        Assert.That(decision.Action, Is.EqualTo(CompatibilityAction.Unfixable));
        Assert.That(decision.MissingVersions, Is.EquivalentTo(new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.32" }));
    }

    [Test]
    public void The_patch_changes_only_the_flag_bytes_of_that_requirement()
    {
        var original = File.ReadAllBytes(ElfImageTests.ShippedLibTorchSharp);
        var need = ElfImage.Parse(original).VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32");

        var patched = SymbolVersionPatcher.MarkWeak(original, "libstdc++.so.6", new[] { "GLIBCXX_3.4.32" });

        Assert.That(patched, Has.Length.EqualTo(original.Length));
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.That(differing, Is.EqualTo(new[] { (int)need.FlagsFileOffset }), "only the low byte of vna_flags may change");
        Assert.That(patched[need.FlagsFileOffset] & ElfImage.VerFlagWeak, Is.EqualTo(ElfImage.VerFlagWeak));

        var reread = ElfImage.Parse(patched);
        Assert.That(reread.VersionNeeds.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak, Is.True);
        Assert.That(reread.VersionNeeds.Where(n => n.Version != "GLIBCXX_3.4.32").All(n => !n.IsWeak), Is.True);
        Assert.That(LibStdCxxCompatibility.Decide(reread, Gcc12Versions).Action, Is.EqualTo(CompatibilityAction.NotNeeded));
    }

    [Test]
    public void Patching_a_version_the_library_does_not_need_is_refused()
    {
        var original = File.ReadAllBytes(ElfImageTests.ShippedLibTorchSharp);
        Assert.Throws<ElfFormatException>(() => SymbolVersionPatcher.MarkWeak(original, "libstdc++.so.6", new[] { "GLIBCXX_9.9" }));
    }

    [Test]
    public void The_cache_writes_once_and_reuses_an_identical_copy()
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "facenet-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var original = new byte[] { 1, 2, 3 };
            var first = PatchedLibraryCache.Store(original, new byte[] { 9, 9 }, "lib.so", root);
            var stamp = File.GetLastWriteTimeUtc(first);
            Thread.Sleep(20);
            var second = PatchedLibraryCache.Store(original, new byte[] { 9, 9 }, "lib.so", root);
            Assert.Multiple(() =>
            {
                Assert.That(second, Is.EqualTo(first));
                Assert.That(File.ReadAllBytes(first), Is.EqualTo(new byte[] { 9, 9 }));
                Assert.That(File.GetLastWriteTimeUtc(second), Is.EqualTo(stamp));
                Assert.That(Directory.GetFiles(System.IO.Path.GetDirectoryName(first)!), Has.Length.EqualTo(1), "no temp file left behind");
            });
            File.WriteAllBytes(first, new byte[] { 0 });
            PatchedLibraryCache.Store(original, new byte[] { 9, 9 }, "lib.so", root);
            Assert.That(File.ReadAllBytes(first), Is.EqualTo(new byte[] { 9, 9 }), "a damaged copy is rewritten");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }
    }
}
