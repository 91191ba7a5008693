using System.ComponentModel;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Webhooks;
using DeployMind.Cli.Hosting;
using DeployMind.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind serve</c>: the server — GitHub webhooks, the REST API, health and metrics — with its own workers (unless
/// <c>server.workers.enabled</c> is false) that run jobs exactly like <c>deploymind worker</c>. Ctrl-C or SIGTERM: no new
/// job is taken; jobs in flight get the shutdown timeout to finish, then are handed back.
/// </summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ServeCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var app = await ServerHost.StartAsync(
            new ServerStart
            {
                Layers = _hosts.Layers,
                ConfigFile = settings.Config,
                Urls = settings.Urls,
                NoWorkers = settings.NoWorkers,
                ShutdownTimeout = TimeSpan.FromSeconds(settings.ShutdownSeconds),
                MinimumLevel = settings.Verbose ? LogLevel.Debug : LogLevel.Information,
            },
            cancellationToken);
        _hosts.Check(app.Services);
        var store = app.Services.GetRequiredService<IDeploymentStore>();
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var secrets = options.WebhookSecrets(Environment.GetEnvironmentVariable);
        _console.MarkupLine($"DeployMind serves on [bold]{Markup.Escape(string.Join(", ", app.Urls))}[/]: the dashboard at /, POST /webhooks/github, /api, /healthz, /readyz, /metrics, /openapi/v1.json.");
        _console.MarkupLine($"Records: {Markup.Escape(store.Description)}. Queue: {Markup.Escape(app.Services.GetRequiredService<IOptions<QueueOptions>>().Value.Provider)}.");
        _console.MarkupLine(secrets.Count == 0
            ? $"[yellow]No webhook secret: webhooks are refused until {Markup.Escape(options.WebhookSecretVariable)} is set.[/]"
            : $"Webhooks: {secrets.Count} secret(s) accepted{(secrets.Count > 1 ? " (rotation)" : string.Empty)}.");
        var workers = app.Services.GetServices<IHostedService>().OfType<Server.Workers.WorkerHostedService>().FirstOrDefault();
        _console.MarkupLine(workers is { Environments.Count: > 0 }
            ? $"Workers take jobs of {Markup.Escape(string.Join(", ", workers.Environments))}. Ctrl-C or SIGTERM stops after the jobs in flight ({settings.ShutdownSeconds}s at most)."
            : "No workers here: run `deploymind worker --environment NAME` to take the jobs.");
        await app.WaitForShutdownAsync(cancellationToken);
        _console.MarkupLine("Stopped.");
        return ExitCodes.Success;
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Where to listen, e.g. http://127.0.0.1:8090 (default: server.urls). Several: separate with ';'.")]
        public string? Urls { get; set; }

        [CommandOption("--no-workers")]
        [Description("Only queue jobs; workers run elsewhere (`deploymind worker`).")]
        public bool NoWorkers { get; set; }

        [CommandOption("--shutdown-timeout <SECONDS>")]
        [Description("On Ctrl-C/SIGTERM, how long jobs in flight may run before they are cancelled and handed back.")]
        [DefaultValue(120)]
        public int ShutdownSeconds { get; set; } = 120;

        public override ValidationResult Validate() =>
            ShutdownSeconds is < 1 or > 86400 ? ValidationResult.Error($"--shutdown-timeout: {ShutdownSeconds} is out of range; give 1 to 86400 seconds.") : ValidationResult.Success();
    }
}
