using System.Text;

namespace FaceNet.Net;

/// <summary>
/// Text taken from outside (an environment variable, a device name, a name inside a weights file) made safe to put in
/// an exception message: every control character is written as <c>\xNN</c> or <c>\uNNNN</c>, so nothing it holds
/// reaches a terminal or a log as a command or a line break.
/// </summary>
internal static class PrintableText
{
    /// <summary><paramref name="value"/> with its control characters escaped, cut to <paramref name="maxLength"/> characters and "..." when longer.</summary>
    public static string Of(string value, int maxLength = int.MaxValue)
    {
        var text = value.Length > maxLength ? value[..maxLength] + "..." : value;
        var safe = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!char.IsControl(c)) safe.Append(c);
            else if (c <= 0xFF) safe.Append($"\\x{(int)c:x2}");
            else safe.Append($"\\u{(int)c:x4}");
        }
        return safe.ToString();
    }
}
