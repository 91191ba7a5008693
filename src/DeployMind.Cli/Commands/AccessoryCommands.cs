using System.ComponentModel;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>Options of the <c>accessory</c> commands: which accessory (or <c>all</c>), the app's folder and environment.</summary>
internal sealed class AccessorySettings : CommonSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("The accessory, as named under accessories: in deploymind.yml; `all` for every one (boot, reboot, remove).")]
    public string Name { get; set; } = string.Empty;

    [CommandArgument(1, "[PATH]")]
    [Description("The app's folder (its deploymind.yml declares the accessories). Default: the current folder.")]
    public string Path { get; set; } = ".";

    [CommandOption("-e|--env <ENVIRONMENT>")]
    [Description("The environment whose hosts run it (default production).")]
    public string Environment { get; set; } = "production";

    [CommandOption("--host <HOST>")]
    [Description("local or ssh://user@host:port, instead of the environment's hosts.")]
    public string? Host { get; set; }

    [CommandOption("-n|--lines <N>")]
    [Description("logs: how many of the last lines (default 100).")]
    [DefaultValue(100)]
    public int Lines { get; set; } = 100;

    [CommandOption("-f|--follow")]
    [Description("logs: keep printing new lines until Ctrl-C.")]
    public bool Follow { get; set; }

    [CommandOption("-y|--yes")]
    [Description("remove: without asking (scripts).")]
    public bool Yes { get; set; }

    [CommandOption("--volumes")]
    [Description("remove: also remove its named volumes, with their data (host folders, bind mounts, stay).")]
    public bool Volumes { get; set; }

    [CommandOption("--lock-wait <DURATION>")]
    [Description("How long to wait while a deploy holds a target's lock (default 30m; 0s: fail at once).")]
    [DefaultValue("30m")]
    public string LockWait { get; set; } = "30m";

    public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");

    public override ValidationResult Validate() =>
        DeployMindCli.FolderExists(Path)
            ? ValidationResult.Success()
            : ValidationResult.Error($"The application folder '{System.IO.Path.GetFullPath(Path)}' does not exist.");
}

/// <summary>What an <c>accessory</c> command does.</summary>
internal enum AccessoryAction
{
    Boot,
    Reboot,
    Logs,
    Remove,
}

/// <summary>
/// <c>deploymind accessory boot|reboot|logs|remove NAME [PATH]</c>: the app's accessories on its environment's hosts. All but
/// <c>logs</c> hold the targets' locks; <c>remove</c> asks first and keeps the volumes unless <c>--volumes</c>.
/// </summary>
internal abstract class AccessoryCommand(IAnsiConsole console, CliHostFactory hosts, AccessoryAction action) : AsyncCommand<AccessorySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, AccessorySettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var services = host.Services;
        var deploys = services.GetRequiredService<DeployService>();
        var accessories = services.GetRequiredService<Accessories>();
        var command = new Application.Deploy.DeployCommand(settings.Path) { Environment = settings.Environment, Host = settings.Host };
        var app = deploys.InstanceName(command, settings.Path);
        var chosen = settings.Name == "all" && action != AccessoryAction.Logs
            ? accessories.DescribeAll(command, app)
            : [accessories.Describe(command, app, settings.Name)];
        if (action == AccessoryAction.Logs)
        {
            await LogsAsync(chosen[0], settings, cancellationToken);
            return ExitCodes.Success;
        }

        if (action == AccessoryAction.Remove && !settings.Yes)
        {
            var what = string.Join(", ", chosen.Select(a => $"{a.Name} ({a.Container} on {a.Host.Name})"));
            var named = chosen.SelectMany(a => Application.Deploy.Hosts.VolumeMounts.Named(a.Volumes)).Distinct(StringComparer.Ordinal).ToList();
            var volumes = !settings.Volumes ? "Its volumes stay."
                : named.Count == 0 ? "It has no named volume to remove."
                : $"And its named volumes, with their data: {string.Join(", ", named)}.";
            if (!console.Profile.Capabilities.Interactive || System.Console.IsInputRedirected)
            {
                throw new Domain.InvalidInputException($"`accessory remove` removes {what}. {volumes} Add --yes to confirm when nobody can answer a question.");
            }

            if (!await console.ConfirmAsync($"Remove {what}? {volumes}", defaultValue: false, cancellationToken))
            {
                console.MarkupLine("Nothing removed.");
                return ExitCodes.Cancelled;
            }
        }

        await using var held = await services.GetRequiredService<TargetLocks>().AcquireAsync(
            deploys.TargetsOf(command), TargetLocks.OwnerOf($"cli:{Environment.UserName}", $"accessory {action.ToString().ToLowerInvariant()} of {app}"),
            settings.LockWaitTime, message => Console.Error.WriteLine(message), cancellationToken);
        var done = new List<string>();
        foreach (var accessory in chosen)
        {
            done.Add(action switch
            {
                AccessoryAction.Boot => await accessories.BootAsync(command, accessory, app, cancellationToken),
                AccessoryAction.Reboot => await accessories.RebootAsync(command, accessory, app, cancellationToken),
                _ => await Accessories.RemoveAsync(accessory, settings.Volumes, cancellationToken),
            });
        }

        if (settings.Json)
        {
            Json.Write(console, new { App = app, settings.Environment, Done = done });
        }
        else
        {
            foreach (var line in done)
            {
                console.MarkupLine(Markup.Escape(line));
            }
        }

        return ExitCodes.Success;
    }

    private async Task LogsAsync(Accessory accessory, AccessorySettings settings, CancellationToken cancellationToken)
    {
        var writer = console.Profile.Out.Writer;
        void Write(string text)
        {
            writer.WriteLine($"{accessory.Host.Name} {accessory.Container} | {text}");
            writer.Flush();
        }

        if (settings.Follow)
        {
            await accessory.Host.Runtime.FollowLogsAsync(accessory.Container, settings.Lines, Write, cancellationToken);
            return;
        }

        foreach (var line in await accessory.Host.Runtime.LogsAsync(accessory.Container, settings.Lines, cancellationToken))
        {
            Write(line);
        }
    }
}

internal sealed class AccessoryBootCommand(IAnsiConsole console, CliHostFactory hosts) : AccessoryCommand(console, hosts, AccessoryAction.Boot);

internal sealed class AccessoryRebootCommand(IAnsiConsole console, CliHostFactory hosts) : AccessoryCommand(console, hosts, AccessoryAction.Reboot);

internal sealed class AccessoryLogsCommand(IAnsiConsole console, CliHostFactory hosts) : AccessoryCommand(console, hosts, AccessoryAction.Logs);

internal sealed class AccessoryRemoveCommand(IAnsiConsole console, CliHostFactory hosts) : AccessoryCommand(console, hosts, AccessoryAction.Remove);
