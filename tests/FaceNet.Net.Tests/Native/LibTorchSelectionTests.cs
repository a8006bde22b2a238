using FaceNet.Net.Native;

namespace FaceNet.Net.Tests.Native;

/// <summary>
/// Which libtorch the process uses, decided from where libtorch builds were found: never one that would be mapped
/// beside another (the SIGSEGV with Debian's python3-torch), never a foreign one silently.
/// </summary>
public class LibTorchSelectionTests
{
    private const string TorchSharp = "0.107.0";
    private const string CacheDir = "/home/u/.nuget/packages/libtorch-cpu-linux-x64";
    private static readonly LibTorchCandidate Debian = new("/lib/x86_64-linux-gnu/libtorch_cpu.so", LibTorchOrigin.SystemPath, "1.13.0");
    private static readonly LibTorchCandidate DebianMapped = new("/usr/lib/x86_64-linux-gnu/libtorch_cpu.so.1.13.0", LibTorchOrigin.SystemPath, "1.13.0");
    private static readonly LibTorchCandidate Cache = new(CacheDir + "/2.10.0/runtimes/linux-x64/native/libtorch_cpu.so", LibTorchOrigin.PackageCache, "2.10.0");
    private static readonly LibTorchCandidate App = new("/srv/app/runtimes/linux-x64/native/libtorch_cpu.so", LibTorchOrigin.AppLocal, null);
    private static readonly LibTorchCandidate PyTorch = new("/opt/venv/lib/python3.12/site-packages/torch/lib/libtorch_cpu.so", LibTorchOrigin.LibraryPath, "2.11.0+cu130");

    private static LibTorchChoice Decide(
        LibTorchCandidate[]? mapped = null, LibTorchCandidate[]? app = null, LibTorchCandidate[]? visible = null, LibTorchCandidate[]? cache = null) =>
        LibTorchSelection.Decide(new LibTorchSearch(mapped ?? [], app ?? [], visible ?? [], cache ?? [], CacheDir), TorchSharp);

    [Test]
    public void A_notebook_on_a_host_with_debian_libtorch_loads_the_cached_package_by_path_and_names_the_one_it_keeps_out()
    {
        var choice = Decide(visible: [Debian], cache: [Cache]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Load));
        Assert.That(choice.Library, Is.EqualTo(Cache));
        Assert.That(choice.Shadowed, Is.EqualTo(Debian));
    }

    [Test]
    public void With_only_debian_libtorch_reachable_the_load_is_refused_with_both_places_and_the_fixes()
    {
        var choice = Decide(visible: [Debian]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(choice.Refusal, Does.Contain("/lib/x86_64-linux-gnu/libtorch_cpu.so (version 1.13.0, in a system library folder)"));
        Assert.That(choice.Refusal, Does.Contain("needs libtorch 2.10"));
        Assert.That(choice.Refusal, Does.Contain(CacheDir));
        Assert.That(choice.Refusal, Does.Contain("dotnet add package libtorch-cpu-linux-x64 --version 2.10.0"));
        Assert.That(choice.Refusal, Does.Contain("apt-get remove python3-torch"));
        Assert.That(choice.Refusal, Does.Contain("LD_LIBRARY_PATH"));
        Assert.That(choice.Refusal, Does.Not.Contain("\n"), "one line, as apps print the first line");
    }

    [Test]
    public void The_apps_own_libtorch_wins_over_everything_on_the_loader_path()
    {
        var choice = Decide(app: [App], visible: [PyTorch, Debian], cache: [Cache]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Load));
        Assert.That(choice.Library, Is.EqualTo(App));
        Assert.That(choice.Shadowed, Is.Null);
    }

    [Test]
    public void An_apps_libtorch_of_a_known_wrong_version_is_refused()
    {
        var old = App with { Version = "1.13.1" };
        var choice = Decide(app: [old], cache: [Cache]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(choice.Refusal, Does.Contain(old.Path).And.Contain("version 1.13.1"));
    }

    [Test]
    public void A_pytorch_libtorch_on_LD_LIBRARY_PATH_is_used_before_the_cache_external_mode()
    {
        var choice = Decide(visible: [PyTorch, Debian], cache: [Cache]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Load));
        Assert.That(choice.Library, Is.EqualTo(PyTorch));
    }

    [Test]
    public void A_libtorch_on_LD_LIBRARY_PATH_of_unknown_version_is_the_users_choice()
    {
        var unknown = PyTorch with { Version = null };
        Assert.That(Decide(visible: [unknown]).Library, Is.EqualTo(unknown));
    }

    [Test]
    public void An_old_pytorch_on_LD_LIBRARY_PATH_is_foreign()
    {
        var old = PyTorch with { Version = "1.13.1+cpu" };
        Assert.That(Decide(visible: [old], cache: [Cache]).Library, Is.EqualTo(Cache));
        var refused = Decide(visible: [old]);
        Assert.That(refused.Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(refused.Refusal, Does.Contain("found through LD_LIBRARY_PATH"));
    }

    [Test]
    public void A_system_libtorch_is_used_only_when_its_version_is_known_and_compatible()
    {
        var unknown = Debian with { Version = null };
        Assert.That(Decide(visible: [unknown]).Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(Decide(visible: [unknown], cache: [Cache]).Library, Is.EqualTo(Cache));
        var current = Debian with { Version = "2.10.0" };
        Assert.That(Decide(visible: [current], cache: [Cache]).Library, Is.EqualTo(current));
    }

    [Test]
    public void Cached_libtorch_of_another_version_is_not_used()
    {
        var old = Cache with { Path = CacheDir + "/2.5.1/runtimes/linux-x64/native/libtorch_cpu.so", Version = "2.5.1" };
        Assert.That(Decide(visible: [Debian], cache: [old]).Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(Decide(cache: [old]).Action, Is.EqualTo(LibTorchAction.NotFound));
        Assert.That(Decide(cache: [old, Cache]).Library, Is.EqualTo(Cache));
    }

    [Test]
    public void Without_any_libtorch_TorchSharp_reports_the_missing_package_itself()
    {
        var choice = Decide();
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.NotFound));
        Assert.That(choice.Library, Is.Null);
    }

    [Test]
    public void A_foreign_libtorch_already_mapped_is_refused_naming_it_and_the_expected_one()
    {
        var choice = Decide(mapped: [DebianMapped], app: [App]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(choice.Refusal, Does.Contain("already loaded in this process: " + DebianMapped.Path + " (version 1.13.0)"));
        Assert.That(choice.Refusal, Does.Contain("which is at " + App.Path));
        Assert.That(choice.Refusal, Does.Contain("FaceNetRuntime.EnsureInitialized() before any other use"));

        var nothingExpected = Decide(mapped: [DebianMapped]);
        Assert.That(nothingExpected.Refusal, Does.Contain("libtorch-cpu-linux-x64 2.10.0, found neither beside the app nor in the NuGet cache " + CacheDir));
    }

    [Test]
    public void A_compatible_libtorch_already_mapped_is_used_and_two_are_refused()
    {
        var mapped = Cache with { Origin = LibTorchOrigin.AlreadyMapped };
        var choice = Decide(mapped: [mapped], visible: [Debian]);
        Assert.That(choice.Action, Is.EqualTo(LibTorchAction.UseMapped));
        Assert.That(choice.Library, Is.EqualTo(mapped));

        var two = Decide(mapped: [mapped, PyTorch with { Origin = LibTorchOrigin.AlreadyMapped }]);
        Assert.That(two.Action, Is.EqualTo(LibTorchAction.Refuse));
        Assert.That(two.Refusal, Does.Contain(mapped.Path).And.Contain(PyTorch.Path));
    }

    [TestCase("2.10.0", true)]
    [TestCase("2.10", true)]
    [TestCase("2.11.0+cu130", true)]
    [TestCase("2.12.0-rc1", true)]
    [TestCase("2.9.1", false)]
    [TestCase("1.13.0", false)]
    [TestCase("3.0.0", false)]
    [TestCase("2", false)]
    [TestCase("latest", false)]
    [TestCase(null, false)]
    public void Compatible_means_libtorch_2_10_or_a_later_2_x(string? version, bool compatible) =>
        Assert.That(LibTorchSelection.IsCompatible(version), Is.EqualTo(compatible));
}
