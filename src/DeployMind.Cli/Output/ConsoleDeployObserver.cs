using DeployMind.Application.Deploy;
using DeployMind.Domain.Deploy;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>
/// The live view of a deploy: each step as it happens, health progress as "2/3 checks passed", and a watched step's
/// progress ("canary 10%: 12/50 requests, 0 errors, p95 40 ms, 18s left") — on a terminal one line redrawn in place and
/// cleared by the next step, elsewhere (a pipe, a CI log) one line per report.
/// </summary>
internal sealed class ConsoleDeployObserver : IDeployObserver
{
    // Carriage return, then erase the line: the cursor is back at its start with nothing on it.
    private const string ClearLine = "\r\u001b[2K";

    private readonly IAnsiConsole _console;
    private readonly bool _quiet;
    private string? _lastHealth;
    private bool _progressShown;

    public ConsoleDeployObserver(IAnsiConsole console, bool quiet)
    {
        _console = console;
        _quiet = quiet;
    }

    private bool Live => _console.Profile.Capabilities is { Ansi: true, Interactive: true };

    public void Step(string host, string message)
    {
        if (!_quiet)
        {
            ClearProgress();
            _console.MarkupLine($"  [blue]{Markup.Escape(host)}[/] {Markup.Escape(message)}");
        }
    }

    public void Health(string host, HealthReport report)
    {
        var line = $"{host}: {report.Summary}";
        if (_quiet || line == _lastHealth)
        {
            return;
        }

        _lastHealth = line;
        ClearProgress();
        _console.MarkupLine($"  [blue]{Markup.Escape(host)}[/] health: {Markup.Escape(report.Summary)}");
    }

    public void Progress(string host, string message)
    {
        if (_quiet)
        {
            return;
        }

        if (!Live)
        {
            _console.MarkupLine($"  [blue]{Markup.Escape(host)}[/] [grey]{Markup.Escape(message)}[/]");
            return;
        }

        // A redrawn line must not wrap, or the carriage return would only go back to its last row.
        var text = $"  {host} {message}";
        var width = Math.Max(20, _console.Profile.Width - 1);
        if (text.Length > width)
        {
            text = text[..(width - 1)] + "…";
        }

        _console.Write(new ControlCode(ClearLine));
        _console.Write(new Text(text, new Style(Color.Grey)));
        _progressShown = true;
    }

    private void ClearProgress()
    {
        if (_progressShown)
        {
            _console.Write(new ControlCode(ClearLine));
            _progressShown = false;
        }
    }
}
