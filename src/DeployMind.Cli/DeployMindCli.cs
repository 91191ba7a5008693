using DeployMind.Application.Configuration;
using DeployMind.Cli.Commands;
using DeployMind.Cli.Hosting;
using DeployMind.Domain;
using DeployMind.Domain.Build;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli;

/// <summary>The <c>deploymind</c> command line: commands, help, and failures turned into one clear line + an exit code.</summary>
public static class DeployMindCli
{
    /// <summary>Runs the CLI. Tests pass a recording console and their own host factory.</summary>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, CliHostFactory hosts, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddSingleton(console);
        services.AddSingleton(hosts);
        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("deploymind");
            config.ConfigureConsole(console);
            config.Settings.Registrar.RegisterInstance(console);
            config.AddCommand<DetectCommand>("detect")
                .WithDescription("Detect an app's language, framework, start command and port.")
                .WithExample("detect", "examples/node-express")
                .WithExample("detect", ".", "--output", "json");
            config.AddCommand<InitCommand>("init")
                .WithDescription("Write a Dockerfile, .dockerignore and deploymind.yml for an app (existing files are kept unless --force).")
                .WithExample("init", "services/api");
            config.AddCommand<LintCommand>("lint")
                .WithDescription("Check a Dockerfile for security, size and cache problems.")
                .WithExample("lint", "Dockerfile")
                .WithExample("lint", "Dockerfile", "--format", "sarif");
            config.AddCommand<BuildCommand>("build")
                .WithDescription("Detect, generate or take the Dockerfile, lint it and build the image, with live progress.")
                .WithExample("build", "examples/go-stdlib")
                .WithExample("build", ".", "--tag", "shop-api:1.4.2");
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check the configuration, every host (connection, Docker, nginx, ss, curl) and Kubernetes target (reachability, version, RBAC), reporting every problem at once.")
                .WithExample("validate", ".");
            config.AddCommand<ScanCommand>("scan")
                .WithDescription("Scan for committed secrets and risky Docker/compose/Kubernetes settings (the pipeline's gate).")
                .WithExample("scan", ".")
                .WithExample("scan", ".", "--format", "sarif");
            config.AddCommand<DeployCommand>("deploy")
                .WithDescription("Build the app and deploy it (rolling, canary or blue-green) behind nginx on this machine or SSH hosts.")
                .WithExample("deploy", "examples/go-stdlib", "--strategy", "canary")
                .WithExample("deploy", ".", "--env", "production", "--host", "ssh://deploy@203.0.113.10:22");
            config.AddCommand<ManifestsCommand>("manifests")
                .WithDescription("Print the Kubernetes manifests an environment's deploys apply (Deployment, Service, HPA, PDB, ConfigMap), as YAML or JSON.")
                .WithExample("manifests", ".", "--env", "staging")
                .WithExample("manifests", "examples/go-stdlib", "--env", "staging", "--output", "json");
            config.AddCommand<RollbackCommand>("rollback")
                .WithDescription("Go back to the release before a recorded deployment, or to the previous release kept on an app's hosts (no build, no scan).")
                .WithExample("rollback", "3f2a1b9c")
                .WithExample("rollback", "examples/go-stdlib");
            config.AddCommand<StatusCommand>("status")
                .WithDescription("Show a recorded deployment: status panel, timeline, findings.")
                .WithExample("status", "3f2a1b9c")
                .WithExample("status", "3f2a1b9c", "--output", "json");
            config.AddCommand<ListCommand>("list")
                .WithDescription("List recent deployments, newest first.")
                .WithExample("list")
                .WithExample("list", "--repository", "acme/shop-api", "--environment", "production", "--limit", "5");
            config.AddCommand<LogsCommand>("logs")
                .WithDescription("Print a deployment's log (stage reports, build output, deploy steps, health checks).")
                .WithExample("logs", "3f2a1b9c")
                .WithExample("logs", "3f2a1b9c", "--follow");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("Run the server: GitHub webhooks, the REST API, health and metrics, with its own workers.")
                .WithExample("serve")
                .WithExample("serve", "--urls", "http://127.0.0.1:8090", "--no-workers");
            config.AddCommand<WorkerCommand>("worker")
                .WithDescription("Take an environment's deployment jobs and run them (locks per target, takeover of a dead worker's jobs).")
                .WithExample("worker", "--environment", "production", "--concurrency", "2");
            config.AddCommand<QueueCommand>("queue")
                .WithDescription("Show the job queues: waiting, in flight, dead letters, oldest waiting.")
                .WithExample("queue", "--environment", "production", "--dead-letters");
            config.AddBranch("lock", branch =>
            {
                branch.SetDescription("Inspect or free a deploy target's lock.");
                branch.AddCommand<LockStatusCommand>("status").WithDescription("Who holds a target's lock.").WithExample("lock", "status", "docker:local");
                branch.AddCommand<LockReleaseCommand>("release").WithDescription("Free a target's lock whoever holds it.").WithExample("lock", "release", "docker:web-1");
            });
            config.AddBranch("token", branch =>
            {
                branch.SetDescription("Manage the REST API's bearer tokens (stored hashed; shown once when created).");
                branch.AddCommand<TokenCreateCommand>("create").WithDescription("Create a token and print it once.").WithExample("token", "create", "ci");
                branch.AddCommand<TokenListCommand>("list").WithDescription("List the tokens: names, created, last used, revoked.").WithExample("token", "list", "--output", "json");
                branch.AddCommand<TokenRevokeCommand>("revoke").WithDescription("Revoke a token: requests with it get 401.").WithExample("token", "revoke", "ci");
            });
            config.SetExceptionHandler((ex, _) => HandleException(console, ex, hosts.Locator));
        });
        return app.RunAsync(args, cancellationToken);
    }

    /// <summary>"Failed to load configuration from file 'x': line 3, column 11: found invalid mapping".</summary>
    internal static string DescribeConfigurationError(InvalidDataException exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is YamlDotNet.Core.YamlException yaml)
            {
                var reason = yaml.InnerException?.Message ?? yaml.Message;
                var at = reason.IndexOf("): ", StringComparison.Ordinal);
                reason = reason.StartsWith("(Line", StringComparison.Ordinal) && at > 0 ? reason[(at + 3)..] : reason;
                return $"{exception.Message.TrimEnd('.')}: line {yaml.Start.Line}, column {yaml.Start.Column}: {reason.TrimEnd('.')}. Fix the YAML at that line (indentation, an unclosed bracket or quote).";
            }
        }

        return exception.InnerException is null ? exception.Message : $"{exception.Message.TrimEnd('.')}: {exception.InnerException.Message}";
    }

    /// <summary>
    /// Maps a failure to one line on the console (one per setting when several settings are wrong) and an exit code (see
    /// <see cref="ExitCodes"/>). An error that names a configuration key is told where the key is written.
    /// </summary>
    internal static int HandleException(IAnsiConsole console, Exception exception, IConfigurationLocator? locator = null)
    {
        string Located(string message) => locator is null ? message : locator.Describe(message);
        string Setting(string text) => Located(text) is var located && located != text ? located : "Invalid configuration: " + text;
        (int Code, IReadOnlyList<string> Messages) failure = exception switch
        {
            OperationCanceledException => (ExitCodes.Cancelled, ["Cancelled."]),
            LanguageNotDetectedException e => (ExitCodes.DetectionFailed, [e.Message]),
            InvalidConfigurationException e => (ExitCodes.InvalidInput, [.. e.Problems.Select(p => p.ToString())]),
            InvalidInputException e => (ExitCodes.InvalidInput, [Located(e.Message)]),
            CommandAppException e => (ExitCodes.InvalidInput, [e.Message]),
            OptionsValidationException e => (ExitCodes.InvalidInput, [.. e.Failures.Select(Setting)]),
            FileNotFoundException e => (ExitCodes.InvalidInput, [e.Message]),
            DirectoryNotFoundException e => (ExitCodes.InvalidInput, [e.Message]),
            InvalidDataException e => (ExitCodes.InvalidInput, [DescribeConfigurationError(e)]),
            FormatException e => (ExitCodes.InvalidInput, ["Invalid configuration file: " + e.Message]),
            DeployMindException e => (ExitCodes.Error, [e.Message]),
            _ => (ExitCodes.Error, [$"Unexpected error: {exception.Message} ({exception.GetType().Name}). Run again with --verbose for details."]),
        };
        foreach (var message in failure.Messages)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        }

        return failure.Code;
    }
}
