using FaceNet.Net.Native;

namespace FaceNet.Net.Tests.Native;

/// <summary>The folders a by-name load would search, read without loading anything.</summary>
public class LoaderSearchPathTests
{
    [Test]
    public void LD_LIBRARY_PATH_gives_its_absolute_folders_in_order()
    {
        Assert.That(LoaderSearchPath.SplitLibraryPath("/opt/torch/lib::relative/lib: /usr/local/cuda/lib64 ;/x"),
            Is.EqualTo(new[] { "/opt/torch/lib", "/usr/local/cuda/lib64", "/x" }));
        Assert.That(LoaderSearchPath.SplitLibraryPath(null), Is.Empty);
    }

    [Test]
    public void Ld_so_conf_gives_its_folders_and_those_of_the_files_it_includes()
    {
        var root = Directory.CreateTempSubdirectory("facenet-ldconf-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "ld.so.conf.d"));
            File.WriteAllText(Path.Combine(root, "ld.so.conf"), "# comment\n/opt/first/lib/\ninclude ld.so.conf.d/*.conf\n\n");
            File.WriteAllText(Path.Combine(root, "ld.so.conf.d", "b.conf"), "/opt/b/lib # trailing note\n");
            File.WriteAllText(Path.Combine(root, "ld.so.conf.d", "a.conf"), "/opt/a/lib\nnot/absolute\n");
            File.WriteAllText(Path.Combine(root, "ld.so.conf.d", "ignored.txt"), "/opt/ignored\n");
            Assert.That(LoaderSearchPath.ConfiguredDirectories(Path.Combine(root, "ld.so.conf")),
                Is.EqualTo(new[] { "/opt/first/lib", "/opt/a/lib", "/opt/b/lib" }));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void The_system_folders_end_with_the_loaders_defaults()
    {
        var dirs = LoaderSearchPath.SystemDirectories();
        Assert.That(dirs, Is.SupersetOf(LoaderSearchPath.DefaultDirectories));
        Assert.That(dirs, Is.Unique);
    }
}
