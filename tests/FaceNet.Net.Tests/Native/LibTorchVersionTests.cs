using FaceNet.Net.Native;

namespace FaceNet.Net.Tests.Native;

/// <summary>The loaded libtorch's version is read from where it lives: a PyTorch install or the NuGet cache.</summary>
public class LibTorchVersionTests
{
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = Directory.CreateTempSubdirectory("facenet-libtorch-version-").FullName;

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private string Library(params string[] folders)
    {
        var dir = Path.Combine([_root, .. folders]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "libtorch_cpu.so");
        File.WriteAllBytes(path, []);
        return path;
    }

    [Test]
    public void A_pytorch_install_gives_the_version_in_torch_version_py()
    {
        var library = Library("site-packages", "torch", "lib");
        File.WriteAllText(Path.Combine(_root, "site-packages", "torch", "version.py"),
            "from typing import Optional\n__all__ = ['__version__']\n__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n");
        Assert.That(TorchNativeFiles.LibTorchVersionOf(library), Is.EqualTo("2.11.0+cu130"));
    }

    [Test]
    public void A_nuget_package_folder_gives_its_version()
    {
        var library = Library("libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
        Assert.That(TorchNativeFiles.LibTorchVersionOf(library), Is.EqualTo("2.10.0"));
    }

    [Test]
    public void A_libtorch_archive_gives_the_version_in_its_build_version_file()
    {
        var library = Library("libtorch", "lib");
        File.WriteAllText(Path.Combine(_root, "libtorch", "build-version"), "2.10.0+cpu\n");
        Assert.That(TorchNativeFiles.LibTorchVersionOf(library), Is.EqualTo("2.10.0+cpu"));
    }

    [Test]
    public void A_distribution_library_gives_the_version_of_the_file_its_links_end_at()
    {
        // Debian's python3-torch: libtorch_cpu.so -> libtorch_cpu.so.1.13 -> libtorch_cpu.so.1.13.0
        var dir = Path.Combine(_root, "x86_64-linux-gnu");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "libtorch_cpu.so.1.13.0"), []);
        File.CreateSymbolicLink(Path.Combine(dir, "libtorch_cpu.so.1.13"), "libtorch_cpu.so.1.13.0");
        File.CreateSymbolicLink(Path.Combine(dir, "libtorch_cpu.so"), "libtorch_cpu.so.1.13");
        Assert.That(TorchNativeFiles.LibTorchVersionOf(Path.Combine(dir, "libtorch_cpu.so")), Is.EqualTo("1.13.0"));
        Assert.That(TorchNativeFiles.LibTorchVersionOf(Path.Combine(dir, "libtorch_cpu.so.1.13.0")), Is.EqualTo("1.13.0"), "as /proc/self/maps names it");
    }

    [Test]
    public void Other_layouts_give_no_version()
    {
        Assert.That(TorchNativeFiles.LibTorchVersionOf(Library("app", "bin", "runtimes", "linux-x64", "native")), Is.Null);
        var library = Library("torch", "lib");
        File.WriteAllText(Path.Combine(_root, "torch", "version.py"), "git_version = 'abc'\n");
        Assert.That(TorchNativeFiles.LibTorchVersionOf(library), Is.Null, "a version.py without __version__");
    }

    [Test]
    public void The_report_names_a_libtorch_version()
    {
        var report = FaceNetRuntime.EnsureInitialized();
        Assert.That(report.LibTorchVersion, Does.Match(@"^2\.\d+\.\d+"));
    }

    [Test]
    public void The_expected_libtorch_package_version_is_the_one_TorchSharp_is_built_against()
    {
        FaceNetRuntime.EnsureInitialized();
        Assert.That(TorchSharp.torch.__version__, Does.StartWith(TorchNativeFiles.LibTorchPackageVersion));
        Assert.That(LibTorchSelection.IsCompatible(TorchSharp.torch.__version__), Is.True);
    }
}
