namespace FaceNet.Net.CommandLine;

/// <summary>
/// The tools' one progress bar: a single line on stderr (<c>label [#####.....] status</c>), drawn only when stderr is
/// an interactive terminal, never into a redirected stream or a log. It takes counts of done items
/// (<see cref="IProgress{T}"/> of int, see <see cref="ForItems"/>) or fractions from 0 to 1 (of double, see
/// <see cref="ForFraction"/>). Thread-safe.
/// </summary>
internal sealed class ProgressBar : IProgress<int>, IProgress<double>, IDisposable
{
    /// <summary>Fewer items than this are over too quickly for a bar to help; <see cref="ForItems"/> draws none.</summary>
    public const int MinimumItems = 16;

    private const int Width = 30;
    private readonly object _gate = new();
    private readonly string _label;
    private readonly int _total;
    private readonly bool _enabled;
    private string? _drawn;

    private ProgressBar(string label, int total, bool enabled)
    {
        _label = label;
        _total = total;
        _enabled = enabled && !Console.IsErrorRedirected;
    }

    /// <summary>A bar for <paramref name="total"/> items, reported as counts; silent below <see cref="MinimumItems"/> items.</summary>
    public static ProgressBar ForItems(int total, string label) => new(label, total, total >= MinimumItems);

    /// <summary>A bar for a task reported as fractions from 0 to 1 (shown as a percentage).</summary>
    public static ProgressBar ForFraction(string label) => new(label, 0, enabled: true);

    /// <summary>Draws <paramref name="done"/> of the total items.</summary>
    public void Report(int done)
    {
        if (_total > 0) Draw((double)Math.Clamp(done, 0, _total) / _total, $"{done}/{_total}");
    }

    /// <summary>Draws a fraction from 0 to 1 (values outside are clamped).</summary>
    public void Report(double fraction)
    {
        fraction = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        Draw(fraction, $"{(int)(fraction * 100),3}%");
    }

    /// <summary>Ends the line after a completed task, leaving the full bar visible.</summary>
    public void Finish()
    {
        if (!_enabled) return;
        lock (_gate)
        {
            if (_drawn is not null) Console.Error.WriteLine();
            _drawn = null;
        }
    }

    /// <summary>Clears a bar still on screen, so that whatever is printed next (a result, an error) starts on a clean line.</summary>
    public void Dispose()
    {
        if (!_enabled) return;
        lock (_gate)
        {
            if (_drawn is not null) Console.Error.Write("\r" + new string(' ', _drawn.Length) + "\r");
            _drawn = null;
        }
    }

    private void Draw(double fraction, string status)
    {
        if (!_enabled) return;
        int filled = (int)(Width * fraction);
        var line = $"{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {status}";
        lock (_gate)
        {
            if (line == _drawn) return;
            Console.Error.Write("\r" + line);
            _drawn = line;
        }
    }
}
