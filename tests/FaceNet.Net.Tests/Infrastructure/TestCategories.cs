namespace FaceNet.Net.Tests.Infrastructure;

/// <summary>
/// NUnit categories. Untagged tests are the fast unit tests; tagged ones are slower and can be run alone
/// with <c>dotnet test --filter TestCategory=Reference</c>. CI runs everything.
/// </summary>
public static class TestCategories
{
    /// <summary>Checks against the independent references in <c>../shared/fixtures</c> (full network, real photos).</summary>
    public const string Reference = "Reference";

    /// <summary>Packs the library and builds an app outside the repository against it (needs the NuGet feed).</summary>
    public const string Packaging = "Packaging";

    /// <summary>
    /// Runs on a CUDA device (TorchSharp's CUDA backend and a GPU). Ignored with the reason where CUDA is not
    /// available, as on CI; run alone on a GPU machine with <c>dotnet test --filter TestCategory=Gpu</c>.
    /// </summary>
    public const string Gpu = "Gpu";

    /// <summary>
    /// Long-running reliability checks (repeated load/encode/dispose cycles with an RSS bound, <c>kill -9</c> of the
    /// CLI, the seeded fuzz run): a minute or two each. CI runs them; run alone with <c>--filter TestCategory=Soak</c>.
    /// </summary>
    public const string Soak = "Soak";

    /// <summary>
    /// The seeded fuzz target (mutated images, weights, galleries and command lines; a minute or so). CI runs it with
    /// the default seed; docs/fuzzing.md gives the longer run.
    /// </summary>
    public const string Fuzz = "Fuzz";

    /// <summary>
    /// Against a real PostgreSQL 15 + pgvector 0.8 server: a throw-away cluster the tests start once and delete
    /// (<see cref="PostgresTestServer"/>), or the server <c>FACENET_TEST_POSTGRES</c> names. Ignored with the reason
    /// where PostgreSQL or pgvector is missing; CI installs both (<c>.ci/run</c>). About a minute in all.
    /// </summary>
    public const string Database = "Database";

    /// <summary>
    /// The HTTP service (src/FaceNet.Net.Server) on Kestrel on 127.0.0.1 with the reference weights, MTCNN and faces
    /// (tests/FaceNet.Net.Server.Tests): every endpoint, bad input, 200 concurrent requests; about a minute. CI runs them;
    /// run alone with <c>--filter TestCategory=Service</c>.
    /// </summary>
    public const string Service = "Service";
}
