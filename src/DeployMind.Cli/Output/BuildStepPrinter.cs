using DeployMind.Application.Build;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>Prints each build step as it starts (and every line with --verbose); names the step in a spinner when there is one.</summary>
internal sealed class BuildStepPrinter : IProgress<BuildProgress>
{
    private readonly IAnsiConsole _console;
    private readonly bool _verbose;
    private int? _lastStep;

    public BuildStepPrinter(IAnsiConsole console, bool verbose = false)
    {
        _console = console;
        _verbose = verbose;
    }

    /// <summary>The spinner of an interactive console, when the build runs inside one.</summary>
    public StatusContext? Status { get; set; }

    public void Report(BuildProgress value)
    {
        // BuildKit numbers steps per stage and runs stages side by side: a step is printed when its first line arrives.
        if (value.Step is { } step && (value.Stage is null ? step != _lastStep : value.StartsStep))
        {
            _lastStep = step;
            var line = value.Stage is null
                ? $"Step {step}/{value.TotalSteps}  {value.Instruction}"
                : $"Step {step}/{value.TotalSteps} ({value.Stage})  {value.Instruction}";
            _console.MarkupLine($"  [blue]{Markup.Escape(line)}[/]");
            Status?.Status(Markup.Escape(line));
        }
        else if (_verbose)
        {
            _console.MarkupLine($"    [grey]{Markup.Escape(value.Line)}[/]");
        }
    }
}
