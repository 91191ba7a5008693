using DeployMind.Application.Deploy;
using DeployMind.Domain.Deploy;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>The live view of a deploy: each step as it happens, health progress as "2/3 checks passed".</summary>
internal sealed class ConsoleDeployObserver : IDeployObserver
{
    private readonly IAnsiConsole _console;
    private readonly bool _quiet;
    private string? _lastHealth;

    public ConsoleDeployObserver(IAnsiConsole console, bool quiet)
    {
        _console = console;
        _quiet = quiet;
    }

    public void Step(string host, string message)
    {
        if (!_quiet)
        {
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
        _console.MarkupLine($"  [blue]{Markup.Escape(host)}[/] health: {Markup.Escape(report.Summary)}");
    }
}
