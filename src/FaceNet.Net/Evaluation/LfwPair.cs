using System.Globalization;

namespace FaceNet.Net.Evaluation;

/// <summary>One pair of a pairs file: two images named by person and 1-based image number. Immutable.</summary>
/// <param name="Name1">The first person (a folder name such as <c>Aaron_Peirsol</c>).</param>
/// <param name="Number1">The first image's number (1 for <c>Aaron_Peirsol_0001.jpg</c>).</param>
/// <param name="Name2">The second person; equal to <paramref name="Name1"/> for a matched pair.</param>
/// <param name="Number2">The second image's number.</param>
/// <param name="IsSame">True for a matched pair (same person).</param>
/// <param name="LineNumber">The 1-based line it came from.</param>
public sealed record LfwPair(string Name1, int Number1, string Name2, int Number2, bool IsSame, int LineNumber)
{
    /// <summary>
    /// The LFW path of an image: <c>&lt;root&gt;/&lt;name&gt;/&lt;name&gt;_&lt;4-digit number&gt;.jpg</c>; when that file is
    /// absent but a <c>.png</c> of the same name exists (aligned copies of LFW are often PNG), the PNG path.
    /// </summary>
    public static string ImagePath(string root, string name, int number)
    {
        ArgumentNullException.ThrowIfNull(root);
        var stem = Path.Combine(root, name, name + "_" + number.ToString("D4", CultureInfo.InvariantCulture));
        var jpg = stem + ".jpg";
        return !File.Exists(jpg) && File.Exists(stem + ".png") ? stem + ".png" : jpg;
    }

    /// <summary>The path of the first image under <paramref name="root"/> (see <see cref="ImagePath(string, string, int)"/>).</summary>
    public string FirstPath(string root) => ImagePath(root, Name1, Number1);

    /// <summary>The path of the second image under <paramref name="root"/>.</summary>
    public string SecondPath(string root) => ImagePath(root, Name2, Number2);
}
