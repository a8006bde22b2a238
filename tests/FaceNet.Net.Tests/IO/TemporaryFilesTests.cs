using FaceNet.Net.IO;
using FaceNet.Net.Model.Inference.TorchScript;
using FaceNet.Net.Recognition.Storage;
using FaceNet.Net.Tests.Cli;
using FaceNet.Net.Tests.Weights.Support;

namespace FaceNet.Net.Tests.IO;

/// <summary>
/// <see cref="TemporaryFiles"/> and <see cref="AtomicFile"/>: temporary files have the library's name, are removed on
/// failure, and stale ones are removed by the next write of the same target, safely (only that target's pattern,
/// only when the owner is gone or the file is old).
/// </summary>
public class TemporaryFilesTests
{
    [Test]
    public void Temporary_names_say_whose_they_are_and_parse_back()
    {
        var path = AtomicFile.TemporaryPath("/data/people.fng");
        var name = Path.GetFileName(path);
        Assert.That(name, Does.StartWith(".people.fng.facenet-tmp-" + Environment.ProcessId + "-"));
        Assert.That(TemporaryFiles.TryParseOwner(name.AsSpan(".people.fng.facenet-tmp-".Length), out var pid), Is.True);
        Assert.That(pid, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void Only_stale_files_of_the_same_target_are_removed()
    {
        using var folder = new TempFolder();
        var target = folder.File("w.safetensors");
        int dead = CommandLineValuesTests.DeadPid();
        string Make(string name, TimeSpan age = default)
        {
            var path = folder.File(name);
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }
        var deadOwner = Make($".w.safetensors.facenet-tmp-{dead}-0123456789ab");
        var liveOwnerRecent = Make(".w.safetensors.facenet-tmp-1-0123456789ab");
        var liveOwnerOld = Make(".w.safetensors.facenet-tmp-1-aaaaaaaaaaaa", TimeSpan.FromHours(3));
        var mine = Make($".w.safetensors.facenet-tmp-{Environment.ProcessId}-0123456789ab", TimeSpan.FromHours(3));
        var otherTarget = Make($".w.safetensors2.facenet-tmp-{dead}-0123456789ab");
        var notOurs = Make($".w.safetensors.facenet-tmp-{dead}-notours");
        var user = Make("w.safetensors.bak");

        var removed = TemporaryFiles.RemoveStale(target);

        Assert.That(removed, Is.EquivalentTo(new[] { deadOwner, liveOwnerOld }));
        Assert.That(new[] { liveOwnerRecent, mine, otherTarget, notOurs, user }.All(File.Exists), Is.True);
    }

    [Test]
    public void A_missing_folder_has_nothing_to_remove() =>
        Assert.That(TemporaryFiles.RemoveStale("/no/such/folder/x.fng"), Is.Empty);

    [Test]
    public void A_failed_write_leaves_neither_a_temporary_file_nor_a_changed_target()
    {
        using var folder = new TempFolder();
        var target = folder.File("e.json");
        File.WriteAllText(target, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write("half"u8);
            throw new InvalidOperationException("disk full");
        }));
        Assert.That(folder.Files(), Is.EqualTo(new[] { "e.json" }));
        Assert.That(File.ReadAllText(target), Is.EqualTo("old"));
    }

    [Test]
    public void A_write_removes_a_killed_writers_file_and_replaces_the_target()
    {
        using var folder = new TempFolder();
        var target = folder.File("e.json");
        File.WriteAllText(folder.File($".e.json.facenet-tmp-{CommandLineValuesTests.DeadPid()}-0123456789ab"), "half");
        AtomicFile.Write(target, stream => stream.Write("new"u8));
        Assert.That(folder.Files(), Is.EqualTo(new[] { "e.json" }));
        Assert.That(File.ReadAllText(target), Is.EqualTo("new"));
    }

    [Test]
    public void A_directory_as_target_or_a_missing_folder_is_refused_with_the_path()
    {
        using var folder = new TempFolder();
        var directory = Assert.Throws<IOException>(() => AtomicFile.Write(folder.Path, _ => { }));
        Assert.That(directory!.Message, Does.Contain("is a directory"));
        var missing = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(folder.File("no/x.json"), _ => { }));
        Assert.That(missing!.Message, Does.Contain("does not exist").And.Not.Contain("facenet-tmp"));
    }

    [Test]
    public void A_gallery_write_that_fails_removes_its_temporary_file_and_does_not_name_it()
    {
        using var folder = new TempFolder();
        var target = folder.File("g.fng");
        var content = new GalleryContent("fp", 2, [new("ana", [[1f, 0f]])]);
        var e = Assert.Throws<FaceNetException>(() => GalleryFile.Write(target, content, _ => throw new IOException("No space left on device")));
        Assert.That(e!.Message, Does.Contain("g.fng").And.Not.Contain("facenet-tmp"));
        Assert.That(folder.Files(), Is.Empty);
        var missing = Assert.Throws<FaceNetException>(() => GalleryFile.Write(folder.File("no/g.fng"), content));
        Assert.That(missing!.Message, Does.Contain("does not exist").And.Not.Contain("facenet-tmp"));
    }

    [Test]
    public void TorchScript_archives_of_gone_processes_are_removed_and_others_kept()
    {
        using var folder = new TempFolder();
        int dead = CommandLineValuesTests.DeadPid();
        var orphan = folder.File($"facenet-FaceNetBody-{dead}-{Guid.NewGuid():N}.pt");
        var live = folder.File($"facenet-FaceNetBody-1-{Guid.NewGuid():N}.pt");
        var other = folder.File($"facenet-notes-{dead}.pt");
        foreach (var f in new[] { orphan, live, other }) File.WriteAllText(f, "x");

        Assert.That(TorchScriptArchive.RemoveOrphans(folder.Path), Is.EqualTo(1));
        Assert.That((File.Exists(orphan), File.Exists(live), File.Exists(other)), Is.EqualTo((false, true, true)));
    }
}
