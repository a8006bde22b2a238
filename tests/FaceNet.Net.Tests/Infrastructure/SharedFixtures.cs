namespace FaceNet.Net.Tests.Infrastructure;

/// <summary>
/// Finds the independent reference fixtures in <c>../shared</c>: <c>FACENET_SHARED</c> first, else the
/// sibling <c>shared/</c> of the folder that holds <c>FaceNet.Net.sln</c>. A test that needs them and
/// cannot find them is ignored with the reason, never passed.
/// </summary>
public static class SharedFixtures
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The shared folder, or null when it is not present.</summary>
    public static string? RootOrNull => Root.Value;

    /// <summary>The full path of a file or folder under <c>shared/</c>; ignores the calling test when absent.</summary>
    public static string Path(params string[] parts)
    {
        var root = Root.Value;
        if (root is null)
            Assert.Ignore("The shared fixtures folder was not found: set FACENET_SHARED or place 'shared/' beside the repository.");
        var path = System.IO.Path.Combine(new[] { root! }.Concat(parts).ToArray());
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Ignore($"Shared fixture '{System.IO.Path.Combine(parts)}' is missing under {root}.");
        return path;
    }

    /// <summary>The repository root (the folder holding FaceNet.Net.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "FaceNet.Net.sln"))) return dir.FullName;
            throw new InvalidOperationException("FaceNet.Net.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("FACENET_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? System.IO.Path.GetFullPath(env) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(dir.FullName, "FaceNet.Net.sln"))) continue;
            var sibling = System.IO.Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
            return Directory.Exists(sibling) ? sibling : null;
        }
        return null;
    }
}
