using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>Keeps every log message (with its category, level, structured values and exception) in memory, for tests that read what was logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    /// <summary>Every entry: its level, and "Level Category: message [values] (exception)".</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    /// <summary>Everything logged so far, one entry per line.</summary>
    public string Text => string.Join('\n', _entries.Select(e => e.Message));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(LogLevel Level, string Message)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);

            // The state's values too (a structured logger would keep them), not only the rendered message.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            entries.Enqueue((logLevel, $"{logLevel} {category}: {formatter(state, exception)} [{values}]{(exception is null ? string.Empty : " " + exception)}"));
        }
    }
}

/// <summary>An <see cref="ILogger{T}"/> that keeps every entry (all levels), for a class under test built by hand.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>, IDisposable
{
    private readonly CapturingLoggerProvider _provider = new();
    private readonly ILogger _logger;

    public CapturingLogger() => _logger = _provider.CreateLogger(typeof(T).FullName ?? typeof(T).Name);

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _provider.Entries;

    public string Text => _provider.Text;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => _logger.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _logger.Log(logLevel, eventId, state, exception, formatter);

    public void Dispose() => _provider.Dispose();
}
