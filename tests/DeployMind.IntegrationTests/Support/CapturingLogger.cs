using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>An <see cref="ILogger{T}"/> that keeps every formatted entry (all levels), for assertions on what was logged.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Every entry as one text: level and message per line.</summary>
    public string Text => string.Join('\n', Entries.Select(e => $"{e.Level}: {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception);
        lock (_gate)
        {
            _entries.Add((logLevel, message));
        }
    }
}
