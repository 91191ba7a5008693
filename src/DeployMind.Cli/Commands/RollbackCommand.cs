using System.ComponentModel;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Hosts;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind rollback &lt;id&gt;</c>: back to the release that served before that recorded deployment (recorded as a
/// deployment of its own). <c>deploymind rollback [PATH]</c>: back to the previous release kept on the app's hosts.
/// No build, no scan: the earlier image runs again.
/// </summary>
internal sealed class RollbackCommand : AsyncCommand<RollbackCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public RollbackCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken) =>
        settings.ById ? ByIdAsync(settings, cancellationToken) : ByFolderAsync(settings, cancellationToken);

    private async Task<int> ByIdAsync(Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.AppPath, settings.Config, settings.Verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var runner = host.Services.GetRequiredService<RollbackRunner>();
        var now = host.Services.GetRequiredService<TimeProvider>();
        var of = await store.FindAsync(settings.Target, cancellationToken);

        // Where it went: the flags, else what the deployment recorded (an SSH host given with --host, its port), else the configuration.
        var recordedHost = of.Target is { } target && !target.Contains(',', StringComparison.Ordinal)
            && HostAddress.TryParse(target, out var address, out _) && address is HostAddress.Ssh ? target : null;
        var recordedPort = of.ListenPort ?? (Uri.TryCreate(of.Url, UriKind.Absolute, out var url) ? url.Port : null);
        var command = new Application.Deploy.DeployCommand(settings.AppPath)
        {
            Environment = of.Environment,
            Host = settings.Host ?? recordedHost,
            Port = settings.Port ?? recordedPort,
        };
        // The release it goes back to is printed by the first step ("rolling back to …") and in the panel. Like a deploy, it
        // holds the lock of every target it changes.
        var targets = host.Services.GetRequiredService<DeployService>().TargetsOf(command);
        await using var held = await host.Services.GetRequiredService<TargetLocks>().AcquireAsync(
            targets, TargetLocks.OwnerOf($"cli:{Environment.UserName}", $"rollback of deployment {of.Id}"), settings.LockWaitTime, Waiting, cancellationToken);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        held.KeepAlive(reason => Lost(reason, lost));
        var rollback = await runner.RollbackAsync(of, command, $"cli:{Environment.UserName}", new ConsoleDeployObserver(_console, settings.Json), lost.Token);
        if (settings.Json)
        {
            Json.Write(_console, DeploymentView.Of(rollback, now.GetUtcNow()));
        }
        else
        {
            _console.Write(DeploymentViews.StatusPanel(rollback, now.GetUtcNow()));
            if (rollback.State != DeploymentState.Succeeded)
            {
                _console.MarkupLine("[yellow]The release that served before the rollback keeps serving.[/]");
            }
        }

        return DeploymentViews.ExitCode(rollback);
    }

    private async Task<int> ByFolderAsync(Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Target, settings.Config, settings.Verbose);
        var service = host.Services.GetRequiredService<DeployService>();
        var command = new Application.Deploy.DeployCommand(settings.Target) { Environment = settings.Environment, Host = settings.Host, Port = settings.Port };
        command = command with
        {
            // The records first: the last release that succeeded (a rejected one is never brought back).
            History = await ReleaseHistoryReader.ReadAsync(
                host.Services.GetRequiredService<IDeploymentStore>(), service.InstanceName(command, command.AppPath), settings.Environment, cancellationToken),
        };
        await using var held = await host.Services.GetRequiredService<TargetLocks>().AcquireAsync(
            service.TargetsOf(command), TargetLocks.OwnerOf($"cli:{Environment.UserName}", $"rollback of {service.InstanceName(command, command.AppPath)}"), settings.LockWaitTime, Waiting, cancellationToken);
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        held.KeepAlive(reason => Lost(reason, lost));
        var variables = host.Services.GetRequiredService<ReleaseVariables>().ForRollback(command);
        var (release, outcome) = await service.RollbackAsync(command, variables, new ConsoleDeployObserver(_console, settings.Json), lost.Token);
        if (settings.Json)
        {
            Json.Write(_console, new { Release = release.ReleaseId, release.Image, outcome });
        }
        else if (outcome.Status == DeployStatus.Succeeded)
        {
            _console.MarkupLine($"[green]Rolled back to {Markup.Escape(release.ReleaseId)}[/] ({Markup.Escape(release.Image)}) in {outcome.Duration.TotalSeconds:F1}s.");
        }
        else
        {
            _console.MarkupLine($"[red]Rollback to {Markup.Escape(release.ReleaseId)} failed[/]; the current release keeps serving. {Markup.Escape(outcome.Reason ?? string.Empty)}");
        }

        return outcome.Status == DeployStatus.Succeeded ? ExitCodes.Success : ExitCodes.DeployFailed;
    }

    /// <summary>The lock was lost (another run holds the target now): the rollback stops before its next step.</summary>
    private static void Lost(string reason, CancellationTokenSource stop)
    {
        Console.Error.WriteLine($"stopping: {reason}");
        stop.Cancel();
    }

    /// <summary>Whom the rollback waits for (on standard error: standard output may carry JSON).</summary>
    private static void Waiting(string message) => Console.Error.WriteLine(message);

    internal sealed class Settings : CommonSettings
    {
        [CommandOption("--lock-wait <DURATION>")]
        [Description("How long to wait while a deploy holds a target's lock (default 30m; 0s: fail at once).")]
        [DefaultValue("30m")]
        public string LockWait { get; set; } = "30m";

        /// <summary><see cref="LockWait"/>, checked.</summary>
        public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");

        [CommandArgument(0, "[ID|PATH]")]
        [Description("A deployment id (or its first characters, as `deploymind list` shows them): go back to the release before it. Or an app folder: go back to the previous release kept on its hosts. Default: the current folder.")]
        public string Target { get; set; } = ".";

        [CommandOption("--path <PATH>")]
        [Description("With an id: the app folder whose deploymind.yml names the hosts (default: the current folder).")]
        public string? PathOption { get; set; }

        [CommandOption("-e|--env <ENVIRONMENT>")]
        [Description("With a folder: the environment in deploymind.yml (default production). With an id: the deployment's own.")]
        public string Environment { get; set; } = "production";

        [CommandOption("--host <HOST>")]
        [Description("local or ssh://user@host:port, instead of the environment's (or the recorded) hosts.")]
        public string? Host { get; set; }

        [CommandOption("-p|--port <PORT>")]
        [Description("The port nginx serves the app on (default: the recorded one, else the environment's, else 8080).")]
        public int? Port { get; set; }

        /// <summary>A deployment id rather than a folder: not an existing folder, and shaped like an id.</summary>
        public bool ById => !DeployMindCli.FolderExists(Target) && DeploymentLookup.LooksLikePrefix(Target);

        public string AppPath => PathOption ?? ".";

        public override ValidationResult Validate()
        {
            if (!ById && !DeployMindCli.FolderExists(Target))
            {
                return ValidationResult.Error($"'{Target}' is neither an app folder nor a deployment id (`deploymind list` shows the ids).");
            }

            return PathOption is not null && !DeployMindCli.FolderExists(PathOption)
                ? ValidationResult.Error($"--path: the application folder '{System.IO.Path.GetFullPath(PathOption)}' does not exist.")
                : ValidationResult.Success();
        }
    }
}
