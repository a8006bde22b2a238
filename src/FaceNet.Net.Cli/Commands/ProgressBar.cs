namespace FaceNet.Net.Cli.Commands;

/// <summary>
/// A one-line progress bar on stderr, drawn only for batches of at least <see cref="MinimumItems"/> images and
/// only when stderr is an interactive terminal (never into a redirected stream or a log). Thread-safe.
/// </summary>
internal sealed class ProgressBar : IProgress<int>, IDisposable
{
    public const int MinimumItems = 16;
    private const int Width = 30;
    private readonly object _gate = new();
    private readonly int _total;
    private readonly string _label;
    private readonly bool _enabled;

    public ProgressBar(int total, string label)
    {
        _total = total;
        _label = label;
        _enabled = total >= MinimumItems && !Console.IsErrorRedirected;
    }

    public void Report(int done)
    {
        if (!_enabled) return;
        lock (_gate)
        {
            int filled = (int)((long)Width * Math.Min(done, _total) / _total);
            Console.Error.Write($"\r{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {done}/{_total}");
        }
    }

    public void Dispose()
    {
        if (!_enabled) return;
        lock (_gate) Console.Error.Write("\r" + new string(' ', _label.Length + Width + 24) + "\r");
    }
}
