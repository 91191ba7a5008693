using System.ComponentModel;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind apps</c>: every app and environment with its live release, where, since when, whether it runs, and a deployment in progress.</summary>
internal sealed class AppsCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<CommonSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CommonSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var apps = await host.Services.GetRequiredService<AppLifecycle>().OverviewAsync(cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, apps);
            return ExitCodes.Success;
        }

        if (apps.Count == 0)
        {
            console.MarkupLine("Nothing is deployed yet: `deploymind deploy PATH` deploys an app.");
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("App", "Environment", "Release", "Where", "Since", "Health", "In progress");
        foreach (var app in apps)
        {
            table.AddRow(
                Markup.Escape(app.App),
                Markup.Escape(app.Environment),
                Markup.Escape(app.ReleaseId ?? "—") + (app.Commit is { Length: >= 7 } commit ? $" [grey]({Markup.Escape(commit[..7])})[/]" : string.Empty),
                Markup.Escape(app.Url ?? app.Target ?? "—"),
                app.Since is { } since ? since.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "—",
                app.Health.StartsWith("running", StringComparison.Ordinal) ? $"[green]{Markup.Escape(app.Health)}[/]" : Markup.Escape(app.Health),
                app.InProgress is { } id ? $"{id.ToString()[..DeploymentLookup.ShortLength]} {app.InProgressState?.Name()}" : string.Empty);
        }

        console.Write(table);
        return ExitCodes.Success;
    }
}

/// <summary>Options of the <c>app</c> commands: the app's folder (its deploymind.yml names the hosts) and environment.</summary>
internal class AppSettings : AppPathSettings
{
    [CommandOption("-e|--env <ENVIRONMENT>")]
    [Description("The environment in deploymind.yml (default production).")]
    public string Environment { get; set; } = "production";

    [CommandOption("--host <HOST>")]
    [Description("local or ssh://user@host:port, instead of the environment's hosts.")]
    public string? Host { get; set; }

    /// <summary>The command these options name (where the app runs).</summary>
    public Application.Deploy.DeployCommand ToCommand() => new(Path) { Environment = Environment, Host = Host };
}

/// <summary><c>deploymind app logs</c>: the running containers' output across hosts, each line tagged with its host and container.</summary>
internal sealed class AppLogsCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<AppLogsCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var command = settings.ToCommand();
        var app = deploys.InstanceName(command, settings.Path);
        var writer = console.Profile.Out.Writer;
        DateTimeOffset? since = settings.Since is null ? null : DateTimeOffset.UtcNow - Domain.Duration.Parse(settings.Since, "--since");
        await host.Services.GetRequiredService<AppLifecycle>().LogsAsync(command, app, settings.Lines, settings.Follow, line =>
        {
            // Raw: an app's output is not markup, and is never wrapped.
            writer.WriteLine(settings.Json ? System.Text.Json.JsonSerializer.Serialize(line, Json.CompactOptions) : $"{line.Host} {line.Container} | {line.Text}");
            writer.Flush();
        }, cancellationToken, settings.Process, since);
        return ExitCodes.Success;
    }

    internal sealed class Settings : AppSettings
    {
        [CommandOption("-f|--follow")]
        [Description("Keep printing new lines until Ctrl-C.")]
        public bool Follow { get; set; }

        [CommandOption("-n|--lines <N>")]
        [Description("How many of the last lines of each container (default 100).")]
        [DefaultValue(100)]
        public int Lines { get; set; } = 100;

        [CommandOption("-p|--process <NAME>")]
        [Description("Only this process's containers (web, worker, …); default: every process.")]
        public string? Process { get; set; }

        [CommandOption("--since <DURATION>")]
        [Description("Only lines written in the last DURATION (30s, 10m, 2h).")]
        public string? Since { get; set; }

        public override ValidationResult Validate()
        {
            if (Lines is < 0 or > 100_000)
            {
                return ValidationResult.Error($"--lines: {Lines} is out of range; give 0 to 100000.");
            }

            return Since is not null && !Domain.Duration.TryParse(Since, out _)
                ? ValidationResult.Error($"--since: '{Since}' is not a duration; write it like 30s, 10m or 2h.")
                : base.Validate();
        }
    }
}

/// <summary>
/// <c>deploymind app exec [PATH] [-i] [-t] [--host HOST] -- CMD…</c>: runs a command in a running container of the live
/// release. Without -i/-t: no terminal, its output as it comes (the first host's, or <c>--on HOST</c>'s). With them: attached
/// to the user's terminal (<c>docker exec -it</c>, over SSH with a terminal on the host), on the one host that runs the app
/// or the one <c>--host</c> names; <c>sh</c> when no command is given. The exit code is the command's.
/// </summary>
internal sealed class AppExecCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<AppExecCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var exec = context.Remaining.Raw;
        var attached = settings.Interactive || settings.Tty;
        if (settings.Tty && System.Console.IsInputRedirected)
        {
            throw new Domain.InvalidInputException("-t: stdin is not a terminal; drop -t or run from a terminal.");
        }

        if (exec.Count == 0 && !attached)
        {
            throw new Domain.InvalidInputException("`app exec` needs the command after `--`: deploymind app exec . -- ls -la /app (or -it for a shell).");
        }

        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var command = settings.ToCommand();
        var app = deploys.InstanceName(command, settings.Path);
        var lifecycle = host.Services.GetRequiredService<AppLifecycle>();

        // --host names one of the environment's hosts (as `apps` shows them, like --on) or gives an address, as for the other commands.
        var on = settings.On;
        if (settings.Host is { } named && deploys.HostsOf(command with { Host = null }).Any(h => h.Name == named))
        {
            on = named;
            command = command with { Host = null };
        }

        if (attached)
        {
            return await lifecycle.ExecInteractiveAsync(command, app, exec.Count == 0 ? ["sh"] : [.. exec], on, settings.Interactive, settings.Tty, cancellationToken);
        }

        var writer = console.Profile.Out.Writer;
        return await lifecycle.ExecAsync(command, app, [.. exec], on, line =>
        {
            writer.WriteLine(line.Text);
            writer.Flush();
        }, cancellationToken);
    }

    internal sealed class Settings : AppSettings
    {
        [CommandOption("--on <HOST>")]
        [Description("The host whose container runs it (a host's name as `deploymind apps` shows it); default: the first that has one.")]
        public string? On { get; set; }

        [CommandOption("-i|--interactive")]
        [Description("Keep standard input open: the command reads what you type (or what is piped in).")]
        public bool Interactive { get; set; }

        [CommandOption("-t|--tty")]
        [Description("Give the command a terminal (a shell, a REPL); needs one on stdin. With several hosts, name one with --host.")]
        public bool Tty { get; set; }
    }
}

/// <summary>What <c>app stop|start|restart</c> do: the containers of the app on the environment's hosts, holding the targets' locks.</summary>
internal enum AppAction
{
    Stop,
    Start,
    Restart,
}

/// <summary><c>deploymind app stop|start|restart</c>: stops the app's running containers, starts its live release's again, or both.</summary>
internal abstract class AppPowerCommand(IAnsiConsole console, CliHostFactory hosts, AppAction action) : AsyncCommand<AppPowerCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var lifecycle = host.Services.GetRequiredService<AppLifecycle>();
        var command = settings.ToCommand();
        var app = deploys.InstanceName(command, settings.Path);
        await using var held = await host.Services.GetRequiredService<TargetLocks>().AcquireAsync(
            deploys.TargetsOf(command), TargetLocks.OwnerOf($"cli:{Environment.UserName}", $"app {action.ToString().ToLowerInvariant()} of {app}"),
            settings.LockWaitTime, message => Console.Error.WriteLine(message), cancellationToken);
        // The environment's stop timeout, as its deploys stop old releases, unless --grace says otherwise.
        var grace = settings.Grace is { } given
            ? Domain.Duration.Parse(given, "--grace")
            : (host.Services.GetRequiredService<IOptions<AppOptions>>().Value.Environment(settings.Environment).Target.Docker?.Container ?? new ContainerOptions())
                .ToSettings($"environments.{settings.Environment}.target.docker.container").StopTimeout;
        var done = new List<string>();
        if (action is AppAction.Stop or AppAction.Restart)
        {
            done.AddRange(await lifecycle.StopAsync(command, app, grace, cancellationToken));
        }

        if (action is AppAction.Start or AppAction.Restart)
        {
            done.AddRange(await lifecycle.StartAsync(command, app, cancellationToken));
        }

        if (settings.Json)
        {
            Json.Write(console, new { App = app, settings.Environment, Done = done });
        }
        else
        {
            foreach (var line in done.DefaultIfEmpty($"{app} ({settings.Environment}): no container to {action.ToString().ToLowerInvariant()}"))
            {
                console.MarkupLine(Markup.Escape(line));
            }
        }

        return ExitCodes.Success;
    }

    internal sealed class Settings : AppSettings
    {
        [CommandOption("--grace <DURATION>")]
        [Description("How long a container has to stop after SIGTERM before it is killed (default: the environment's target.docker.container.stopTimeout, 10s).")]
        public string? Grace { get; set; }

        [CommandOption("--lock-wait <DURATION>")]
        [Description("How long to wait while a deploy holds a target's lock (default 30m; 0s: fail at once).")]
        [DefaultValue("30m")]
        public string LockWait { get; set; } = "30m";

        public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");
    }
}

internal sealed class AppStopCommand(IAnsiConsole console, CliHostFactory hosts) : AppPowerCommand(console, hosts, AppAction.Stop);

internal sealed class AppStartCommand(IAnsiConsole console, CliHostFactory hosts) : AppPowerCommand(console, hosts, AppAction.Start);

internal sealed class AppRestartCommand(IAnsiConsole console, CliHostFactory hosts) : AppPowerCommand(console, hosts, AppAction.Restart);

/// <summary>
/// <c>deploymind app remove</c>: the app's nginx site, containers and release images on the environment's hosts (or its
/// objects in the cluster), after a confirmation (<c>--yes</c> for scripts), recorded as a deployment of its own.
/// </summary>
internal sealed class AppRemoveCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<AppRemoveCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var services = host.Services;
        var deploys = services.GetRequiredService<DeployService>();
        var command = settings.ToCommand();
        var app = deploys.InstanceName(command, settings.Path);
        var targets = deploys.TargetsOf(command);
        if (deploys.TargetKindOf(command) == Application.Deploy.Targets.DeployTargetKind.Kubernetes)
        {
            throw new Domain.InvalidInputException($"environments.{settings.Environment}.target: {app} runs in Kubernetes ({string.Join(", ", targets)}); remove its objects with kubectl (they carry the label app.kubernetes.io/name={app}).");
        }

        // --volumes: the named volumes the environment's containers mount; host folders (bind mounts) are never removed.
        var key = $"environments.{settings.Environment}.target.docker.container";
        var mounts = (services.GetRequiredService<IOptions<AppOptions>>().Value.Environment(settings.Environment).Target.Docker?.Container ?? new ContainerOptions()).ToSettings(key).Volumes;
        var scope = settings.Volumes ? RemovalScope.WithVolumesOf(mounts, images: true) : new RemovalScope { Images = true };
        var volumes = !settings.Volumes ? (mounts.Count == 0 ? string.Empty : $" Its volumes stay ({string.Join(", ", mounts.Select(Application.Deploy.Hosts.VolumeMounts.SourceOf))}; --volumes removes the named ones).")
            : scope.Volumes.Count == 0 ? " It mounts no named volume." : $" And its named volumes, with their data: {string.Join(", ", scope.Volumes)}.";
        if (settings.Volumes && scope.BindMounts.Count > 0)
        {
            volumes += $" Host folders stay: {string.Join(", ", scope.BindMounts)}.";
        }

        if (!settings.Yes)
        {
            if (!console.Profile.Capabilities.Interactive || System.Console.IsInputRedirected)
            {
                throw new Domain.InvalidInputException($"`app remove` removes {app} ({settings.Environment}) from {string.Join(", ", targets)}.{volumes} Add --yes to confirm when nobody can answer a question.");
            }

            if (!await console.ConfirmAsync($"Remove {app} ({settings.Environment}) from {string.Join(", ", targets)}: its nginx site, containers and images?{volumes}", defaultValue: false, cancellationToken))
            {
                console.MarkupLine("Nothing removed.");
                return ExitCodes.Cancelled;
            }
        }

        var time = services.GetRequiredService<TimeProvider>();
        var triggeredBy = $"cli:{Environment.UserName}";
        var deployment = new Deployment(Guid.NewGuid(), app, settings.Environment, deploys.StrategyOf(command), triggeredBy, time.GetUtcNow()) { IsTeardown = true };
        await using var held = await services.GetRequiredService<TargetLocks>().AcquireAsync(
            targets, TargetLocks.OwnerOf(triggeredBy, deployment.Id), settings.LockWaitTime, message => Console.Error.WriteLine(message), cancellationToken);
        foreach (var handle in held.Handles)
        {
            deployment.Note(LockNotes.Holding(handle, TargetLocks.OwnerOf(triggeredBy, deployment.Id)), time.GetUtcNow());
        }

        await services.GetRequiredService<IDeploymentStore>().AddAsync(deployment, cancellationToken);
        var removed = await services.GetRequiredService<AppRemoval>().RemoveAsync(
            command, app, deployment, $"the app {app}", scope, new ConsoleDeployObserver(console, settings.Json), note: null, cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, DeploymentView.Of(removed, time.GetUtcNow()));
        }
        else
        {
            console.Write(DeploymentViews.StatusPanel(removed, time.GetUtcNow()));
        }

        return DeploymentViews.ExitCode(removed);
    }

    internal sealed class Settings : AppSettings
    {
        [CommandOption("-y|--yes")]
        [Description("Remove without asking (scripts).")]
        public bool Yes { get; set; }

        [CommandOption("--volumes")]
        [Description("Also remove the named volumes its containers mount (target.docker.container.volumes), with their data; host folders (bind mounts) stay.")]
        public bool Volumes { get; set; }

        [CommandOption("--lock-wait <DURATION>")]
        [Description("How long to wait while a deploy holds a target's lock (default 30m; 0s: fail at once).")]
        [DefaultValue("30m")]
        public string LockWait { get; set; } = "30m";

        public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");
    }
}
