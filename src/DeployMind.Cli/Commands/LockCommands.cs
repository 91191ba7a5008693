using System.ComponentModel;
using DeployMind.Application.Jobs;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>Options of the lock commands.</summary>
internal sealed class LockSettings : CommonSettings
{
    [CommandArgument(0, "<TARGET>")]
    [Description("The deploy target, as jobs name it: docker:<host> (docker:local, docker:web-1), docker:<host>/<app>-pr-<n> (a preview), k8s:<context>/<namespace>/<app>.")]
    public string Target { get; set; } = string.Empty;
}

/// <summary><c>deploymind lock status TARGET</c>: who holds the target's lock, with its fencing token and expiry.</summary>
internal sealed class LockStatusCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<LockSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, LockSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var info = await host.Services.GetRequiredService<IDeployLock>().GetAsync(settings.Target, cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, new { settings.Target, Held = info is not null, info?.Owner, info?.Token, info?.ExpiresAt });
        }
        else if (info is null)
        {
            console.MarkupLine($"{Markup.Escape(settings.Target)} is free.");
        }
        else
        {
            console.MarkupLine($"{Markup.Escape(settings.Target)} is held by {Markup.Escape(info.Owner)} (fencing token {info.Token}){(info.ExpiresAt is { } at ? $", lease until {at.ToLocalTime():HH:mm:ss}" : string.Empty)}.");
        }

        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>deploymind lock release TARGET</c>: frees a lock whoever holds it — for a holder that is gone but whose lease has
/// not run out yet. A live holder loses its lock: its next heartbeat notices and it stops changing the target.
/// </summary>
internal sealed class LockReleaseCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<LockSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, LockSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(null, settings.Config, settings.Verbose);
        var locks = host.Services.GetRequiredService<IDeployLock>();
        var info = await locks.GetAsync(settings.Target, cancellationToken);
        var released = await locks.ForceReleaseAsync(settings.Target, cancellationToken);
        if (settings.Json)
        {
            Json.Write(console, new { settings.Target, Released = released, PreviousOwner = info?.Owner });
        }
        else
        {
            console.MarkupLine(released
                ? $"Released {Markup.Escape(settings.Target)} (was held by {Markup.Escape(info?.Owner ?? "?")})."
                : $"{Markup.Escape(settings.Target)} was not locked.");
        }

        return ExitCodes.Success;
    }
}
