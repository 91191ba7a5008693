using System.ComponentModel;
using System.Runtime.InteropServices;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind worker --environment NAME</c>: takes the environment's jobs and runs them until stopped. Ctrl-C or
/// SIGTERM: no new job is taken and the jobs in flight finish; a second signal cancels them (each deployment ends
/// cancelled, its target as it was).
/// </summary>
internal sealed class WorkerCommand : AsyncCommand<WorkerCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public WorkerCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // A worker's jobs end in its log only: warnings are kept without --verbose.
        using var host = _hosts.Create(null, settings.Config, settings.Verbose, LogLevel.Warning);
        var services = host.Services;
        var worker = new DeployWorker(
            services.GetRequiredService<IJobQueue>(),
            services.GetRequiredService<IDeployLock>(),
            services.GetRequiredService<IJobRunner>(),
            services.GetRequiredService<IDeploymentStore>(),
            services.GetRequiredService<IOptions<QueueOptions>>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<DeployWorker>>())
        {
            Reporter = services.GetRequiredService<IDeploymentReporter>(),
            Notifier = services.GetService<Application.Notifications.IDeploymentNotifier>(),
        };
        await services.GetRequiredService<IDeploymentStore>().EnsureReadyAsync(cancellationToken);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            if (stopping.IsCancellationRequested)
            {
                abort.Cancel();
            }
            else
            {
                stopping.Cancel();
            }
        });
        var name = settings.Name ?? $"worker-{Environment.ProcessId}@{Environment.MachineName}";
        _console.MarkupLine($"{Markup.Escape(name)} takes jobs of [bold]{Markup.Escape(settings.Environment)}[/] ({settings.Concurrency} at a time). Ctrl-C or SIGTERM stops it after the jobs in flight.");
        try
        {
            await worker.RunAsync(settings.Environment, name, settings.Concurrency, stopping.Token, abort.Token);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            _console.MarkupLine("[yellow]Stopped; the jobs in flight were cancelled and handed back.[/]");
            return ExitCodes.Cancelled;
        }

        _console.MarkupLine("Stopped.");
        return ExitCodes.Success;
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandOption("-e|--environment|--env <ENVIRONMENT>")]
        [Description("The environment whose queue this worker takes jobs from.")]
        public string Environment { get; set; } = "production";

        [CommandOption("-n|--concurrency <N>")]
        [Description("Jobs run at once (different targets deploy in parallel; one target is always one at a time).")]
        [DefaultValue(1)]
        public int Concurrency { get; set; } = 1;

        [CommandOption("--name <NAME>")]
        [Description("This worker's name in locks and timelines (default worker-<pid>@<machine>).")]
        public string? Name { get; set; }

        public override ValidationResult Validate() =>
            Concurrency is < 1 or > 64 ? ValidationResult.Error($"--concurrency: {Concurrency} is out of range; give 1 to 64.") : ValidationResult.Success();
    }
}
