using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind validate [PATH]</c>: every problem at once — the configuration (each environment's settings) and
/// each host (connection, Docker engine, nginx, ss, curl) — each ✓ or ✗ with the reason.
/// </summary>
internal sealed class ValidateCommand : AsyncCommand<AppPathSettings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ValidateCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AppPathSettings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var results = new List<CheckResult>();
        results.Add(Check("configuration: build", () => _ = host.Services.GetRequiredService<IOptions<BuildOptions>>().Value, "valid"));
        results.Add(Check("configuration: nginx", () => _ = host.Services.GetRequiredService<IOptions<NginxOptions>>().Value, "valid"));

        var app = host.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        var deploys = host.Services.GetRequiredService<DeployService>();
        var environments = app.Environments.Count > 0 ? app.Environments.Keys.ToList() : ["production"];
        var hosts = new Dictionary<string, HostOptions>(StringComparer.Ordinal);
        foreach (var environment in environments)
        {
            var command = new Application.Deploy.DeployCommand(settings.Path) { Environment = environment };
            results.Add(Check($"configuration: environments.{environment}.strategy", () => _ = deploys.StrategyOf(command), "valid"));
            results.Add(Check($"configuration: environments.{environment}", () => _ = deploys.CreateRequest(command, Path.GetFullPath(settings.Path), "validate:check"), "valid"));
            var configured = app.Environments.TryGetValue(environment, out var options) ? options.Target.Docker?.Hosts : null;
            foreach (var h in configured is { Count: > 0 } ? configured : [new HostOptions { Name = "local" }])
            {
                hosts.TryAdd(h.Name, h);
            }
        }

        var checks = host.Services.GetRequiredService<IHostChecks>();
        foreach (var h in hosts.Values)
        {
            results.AddRange(await checks.CheckAsync(h, cancellationToken));
        }

        var git = await host.Services.GetRequiredService<ICommandRunner>().RunAsync(CommandSpec.Create("git", "--version"), null, cancellationToken);
        results.Add(new CheckResult("this machine: git", git.Succeeded, git.Succeeded ? git.StandardOutput.Trim() : "not found — install git (deploy --repo needs it)"));

        if (settings.Json)
        {
            Json.Write(_console, results);
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Check", string.Empty, "Detail");
            foreach (var r in results)
            {
                table.AddRow(Markup.Escape(r.Name), r.Passed ? "[green]✓[/]" : "[red]✗[/]", Markup.Escape(r.Detail));
            }

            _console.Write(table);
            var failed = results.Count(r => !r.Passed);
            _console.MarkupLine(failed == 0 ? "[green]Everything checks out.[/]" : $"[red]{failed} problem(s).[/]");
        }

        return results.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    private static CheckResult Check(string name, Action check, string ok)
    {
        try
        {
            check();
            return new CheckResult(name, true, ok);
        }
        catch (OptionsValidationException ex)
        {
            return new CheckResult(name, false, string.Join("; ", ex.Failures));
        }
        catch (DeployMindException ex)
        {
            return new CheckResult(name, false, ex.Message);
        }
    }
}
