using System.ComponentModel;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind list</c>: recent deployments, newest first, filtered by repository, app, environment or state.</summary>
internal sealed class ListCommand : AsyncCommand<ListCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ListCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, settings.Config, settings.Verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await host.Services.GetRequiredService<InterruptedDeployments>().ReconcileAsync(cancellationToken);
        var deployments = await store.ListAsync(
            new DeploymentQuery
            {
                Repository = settings.Repository,
                App = settings.App,
                Environment = settings.Environment,
                State = settings.State is null ? null : DeploymentStates.Parse(settings.State),
                Limit = settings.Limit,
            },
            cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, deployments.Select(d => DeploymentView.Of(d, now)));
        }
        else if (deployments.Count == 0)
        {
            _console.MarkupLine($"No deployments recorded in {Markup.Escape(store.Description)}{(settings.Filtered ? " match" : string.Empty)}.");
        }
        else
        {
            _console.Write(DeploymentViews.List(deployments, now));
        }

        return ExitCodes.Success;
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandOption("-r|--repository <OWNER/REPO>")]
        [Description("Only deployments of this repository (as given to deploy --repo).")]
        public string? Repository { get; set; }

        [CommandOption("-a|--app <APP>")]
        [Description("Only deployments of this app.")]
        public string? App { get; set; }

        [CommandOption("-e|--environment|--env <ENVIRONMENT>")]
        [Description("Only deployments to this environment.")]
        public string? Environment { get; set; }

        [CommandOption("--state <STATE>")]
        [Description("Only deployments in this state: queued, scanning, building, deploying, verifying, succeeded, failed, rolled_back, cancelled, superseded.")]
        public string? State { get; set; }

        [CommandOption("-n|--limit <N>")]
        [Description("At most this many (default 20).")]
        [DefaultValue(20)]
        public int Limit { get; set; } = 20;

        public bool Filtered => Repository is not null || App is not null || Environment is not null || State is not null;

        public override ValidationResult Validate()
        {
            if (Limit is < 1 or > 10_000)
            {
                return ValidationResult.Error($"--limit: {Limit} is out of range; give 1 to 10000.");
            }

            return State is not null && DeploymentStates.Parse(State) is null
                ? ValidationResult.Error($"--state: '{State}' is not a state; use queued, scanning, building, deploying, verifying, succeeded, failed, rolled_back, cancelled or superseded.")
                : ValidationResult.Success();
        }
    }
}
