using System.ComponentModel;
using System.Globalization;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Domains;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind certs list</c>: the certificates of the sites that serve domains over HTTPS on the environment's hosts
/// (every app of each host, read from the host's own files), with their expiry.
/// </summary>
internal sealed class CertsListCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<AppSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, AppSettings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var rows = new List<(string Host, CertificateInfo Certificate)>();
        foreach (var target in deploys.HostsOf(settings.ToCommand()))
        {
            rows.AddRange((await target.Router.CertificatesAsync(cancellationToken)).Select(c => (target.Name, c)));
        }

        var now = DateTimeOffset.UtcNow;
        if (settings.Json)
        {
            Json.Write(console, rows.Select(r => new
            {
                r.Host,
                r.Certificate.App,
                r.Certificate.Domains,
                Source = r.Certificate.Source.ToString().ToLowerInvariant(),
                r.Certificate.Path,
                r.Certificate.NotAfter,
                DaysLeft = r.Certificate.NotAfter is { } end ? (int?)Math.Floor((end - now).TotalDays) : null,
                r.Certificate.Names,
                r.Certificate.CoversDomains,
            }));
            return ExitCodes.Success;
        }

        if (rows.Count == 0)
        {
            console.MarkupLine("No site serves domains over HTTPS on these hosts.");
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Host", "App", "Domains", "Source", "Expires", "Days left", "Certificate");
        foreach (var (name, certificate) in rows)
        {
            var days = certificate.NotAfter is { } end ? Math.Floor((end - now).TotalDays) : double.NaN;
            var expires = certificate.NotAfter is { } at ? at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "[red]none[/]";
            var left = double.IsNaN(days) ? "-" : days < 14 ? $"[red]{days:0}[/]" : days < 30 ? $"[yellow]{days:0}[/]" : days.ToString("0", CultureInfo.InvariantCulture);
            var note = certificate.NotAfter is null ? "missing" : certificate.CoversDomains ? Markup.Escape(certificate.Path) : $"[red]not for every domain[/] ({Markup.Escape(string.Join(", ", certificate.Names))})";
            table.AddRow(Markup.Escape(name), Markup.Escape(certificate.App), Markup.Escape(string.Join(", ", certificate.Domains)),
                certificate.Source.ToString().ToLowerInvariant(), expires, left, note);
        }

        console.Write(table);
        return ExitCodes.Success;
    }
}

/// <summary>
/// <c>deploymind certs renew</c>: renews the ACME certificates on the environment's hosts that are due (the server's
/// housekeeping does the same on its own), or all of them with <c>--force</c>; each one loaded by a tested reload.
/// </summary>
internal sealed class CertsRenewCommand(IAnsiConsole console, CliHostFactory hosts) : AsyncCommand<CertsRenewCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = hosts.Create(settings.Path, settings.Config, settings.Verbose);
        using var scope = host.Services.CreateScope();
        var deploys = scope.ServiceProvider.GetRequiredService<DeployService>();
        var command = settings.ToCommand();
        var app = settings.All ? null : deploys.InstanceName(command, settings.Path);

        // Under the hosts' target locks, as a deploy: it waits for a deploy or another process's renewal of the same hosts.
        var results = await scope.ServiceProvider.GetRequiredService<CertificateRenewals>().RenewAsync(
            command, settings.Force, app, settings.LockWaitTime, message => Console.Error.WriteLine(message), $"cli:{Environment.UserName}", cancellationToken);

        if (settings.Json)
        {
            Json.Write(console, results.Select(r => new { r.Host, r.Renewal.App, r.Renewal.Outcome, r.Renewal.Detail }));
        }
        else if (results.Count == 0)
        {
            console.MarkupLine(app is null ? "No site renews ACME certificates on these hosts." : $"{Markup.Escape(app)} has no ACME certificate on these hosts (domains and tls.mode acme, deployed).");
        }
        else
        {
            foreach (var (name, renewal) in results)
            {
                var colour = renewal.Failed ? "red" : renewal.Outcome == "renewed" ? "green" : "grey";
                console.MarkupLine($"[{colour}]{renewal.Outcome}[/] {Markup.Escape(renewal.App)} on {Markup.Escape(name)}: {Markup.Escape(renewal.Detail)}");
            }
        }

        // A skipped host (its lock was held with --lock-wait 0s) was not renewed either.
        return results.Any(r => r.Renewal.Failed || r.Renewal.Outcome == CertificateRenewals.Skipped) ? ExitCodes.Error : ExitCodes.Success;
    }

    internal sealed class Settings : AppSettings
    {
        [CommandOption("--force")]
        [Description("Renew even the certificates that are not due yet.")]
        public bool Force { get; set; }

        [CommandOption("--all")]
        [Description("Every app's certificates on the hosts, not only this app's.")]
        public bool All { get; set; }

        [CommandOption("--lock-wait <DURATION>")]
        [Description("How long to wait while a deploy or another renewal holds a host's lock (default 30m; 0s: skip at once).")]
        [DefaultValue("30m")]
        public string LockWait { get; set; } = "30m";

        /// <summary><see cref="LockWait"/>, checked.</summary>
        public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");
    }
}
