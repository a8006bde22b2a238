namespace FaceNet.Net.WeightsConverter;

/// <summary>A one-line progress bar on stderr, drawn only when stderr is a terminal (silent in pipes, logs and tests).</summary>
internal sealed class ProgressBar : IProgress<double>, IDisposable
{
    private readonly bool _enabled;
    private int _lastPercent = -1;

    private ProgressBar(bool enabled) => _enabled = enabled;

    /// <summary>A bar on stderr when it is a terminal, otherwise a silent one.</summary>
    public static ProgressBar ForStandardError() => new(!Console.IsErrorRedirected);

    /// <inheritdoc />
    public void Report(double value)
    {
        if (!_enabled) return;
        int percent = (int)Math.Clamp(value * 100, 0, 100);
        if (percent == _lastPercent) return;
        _lastPercent = percent;
        int filled = percent * 40 / 100;
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', 40 - filled)}] {percent,3}%");
    }

    /// <summary>Ends the line after a completed run.</summary>
    public void Finish()
    {
        if (_enabled && _lastPercent >= 0) Console.Error.WriteLine();
        _lastPercent = -1;
    }

    /// <summary>Clears a half-drawn bar so an error message starts on its own line.</summary>
    public void Dispose()
    {
        if (_enabled && _lastPercent >= 0) Console.Error.Write("\r" + new string(' ', 48) + "\r");
    }
}
