using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Application.Source;
using DeployMind.Application.Webhooks;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.Infrastructure.Redis;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind validate [PATH]</c>: every problem at once — the configuration (values that cannot be read, keys no setting
/// has, each environment's settings), each with the file:line:column it is written at, each host (connection, Docker
/// engine, nginx, ss, curl, nginx sites that are not served as written or whose port another process holds) and each Kubernetes target (reachability, server version, RBAC gaps) — each ✓, ! (a warning)
/// or ✗ with the reason.
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
        // Values that cannot be read are reported here and set back to their defaults in the host, so the checks below still run.
        using var host = _hosts.CreateChecked(settings.Path, settings.Config, settings.Verbose, out var problems);
        var locator = host.Services.GetRequiredService<IConfigurationLocator>();
        var results = new List<CheckResult>();
        // A key no setting has fails like a deploy fails on it (deploy --allow-unknown-keys ignores it).
        results.AddRange(problems.Select(p => p.IsWarning ? ConfigurationChecker.Refused(p) : p)
            .Select(p => new CheckResult($"configuration: {p.Key.Split(':')[0]}", Passed: false, p.ToString())));
        results.Add(Check(locator, "configuration: build", () => _ = host.Services.GetRequiredService<IOptions<BuildOptions>>().Value));
        results.Add(Check(locator, "configuration: nginx", () => _ = host.Services.GetRequiredService<IOptions<NginxOptions>>().Value));
        var pipeline = host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
        results.Add(Check(locator, "configuration: pipeline", [.. Enum.GetValues<PipelineStage>().Select(stage => (Action)(() => pipeline.DeadlineOf(stage)))]));

        var app = host.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        var deploys = host.Services.GetRequiredService<DeployService>();
        var environments = app.Environments.Count > 0 ? app.Environments.Keys.ToList() : ["production"];
        var hosts = new Dictionary<string, HostOptions>(StringComparer.Ordinal);
        var ports = new Dictionary<string, Dictionary<int, string>>(StringComparer.Ordinal);
        var clusters = new List<(string Environment, KubernetesSettings Settings)>();
        var registries = new Dictionary<string, (Application.Deploy.Delivery.RegistrySettings Registry, List<string> Environments)>(StringComparer.Ordinal);
        var domains = new List<(HostOptions Host, IReadOnlyList<string> Domains, Application.Deploy.Hosts.SiteTls? Tls)>();
        foreach (var environment in environments)
        {
            var name = $"configuration: environments.{environment}";
            var command = new Application.Deploy.DeployCommand(settings.Path) { Environment = environment };
            if (RegistryOf(deploys, command) is { } registry)
            {
                (registries.TryGetValue(registry.ToString() + "|" + registry.Key, out var seen) ? seen : registries[registry.ToString() + "|" + registry.Key] = (registry, [])).Environments.Add(environment);
            }

            // The environment's settings, and the accessories its deploys boot.
            IReadOnlyList<string> invalid = [.. deploys.Problems(command), .. host.Services.GetRequiredService<Accessories>().Problems(command, deploys.AppName(settings.Path))];
            results.AddRange(invalid.Count == 0 ? [new CheckResult(name, true, "valid")] : invalid.Select(p => new CheckResult(name, false, locator.Describe(p))));
            if (KubernetesOf(deploys, command) is { } kubernetes)
            {
                // A Kubernetes environment has no Docker hosts of its own to check: its cluster is checked below.
                clusters.Add((environment, kubernetes));
                continue;
            }

            var docker = app.Environments.TryGetValue(environment, out var options) ? options.Target.Docker : null;
            var configured = docker?.Hosts;
            var served = DomainsOf(app, environment);
            foreach (var h in configured is { Count: > 0 } ? configured : [new HostOptions { Name = "local" }])
            {
                hosts.TryAdd(h.Name, h);
                if (served is { Domains.Count: > 0 })
                {
                    domains.Add((h, served.Value.Domains, served.Value.Tls));
                }

                if (!ports.TryGetValue(h.Name, out var onHost))
                {
                    ports[h.Name] = onHost = [];
                }

                // The nginx port the environment serves on: another process holding it makes its deploys fail.
                onHost.TryAdd(docker?.Port ?? new DockerTargetOptions().Port, $"environments.{environment}.target.docker.port");
            }
        }

        var checks = host.Services.GetRequiredService<IHostChecks>();
        foreach (var h in hosts.Values)
        {
            results.AddRange(await checks.CheckAsync(h, ports[h.Name], cancellationToken));
        }

        // Each environment's domains on its hosts: resolution, the HTTP port through the app's site, the certificate.
        var appName = deploys.AppName(settings.Path);
        foreach (var (h, names, tls) in domains.DistinctBy(d => (d.Host.Name, string.Join(',', d.Domains))))
        {
            results.AddRange(await checks.CheckDomainsAsync(h, appName, names, tls, cancellationToken));
        }

        // Each registry's login, as the deploys will make it (a password that cannot be read, or ECR refusing, shows here).
        var logins = host.Services.GetRequiredService<Application.Deploy.Delivery.IRegistryLogins>();
        foreach (var (registry, used) in registries.Values)
        {
            var name = $"registry {registry} ({string.Join(", ", used)})";
            try
            {
                var login = await logins.LoginAsync(registry, cancellationToken);
                results.Add(new CheckResult(name, true, login is null
                    ? "no login: an open registry, or hosts logged in by their own means"
                    : registry.Ecr ? $"an ECR token for {login.Username} (the password is not shown)" : $"logs in as {login.Username} (the password is readable; not shown)"));
            }
            catch (DeployMind.Domain.DeployMindException ex)
            {
                results.Add(new CheckResult(name, false, ex.Message));
            }
        }

        var preflight = host.Services.GetRequiredService<KubernetesPreflight>();
        foreach (var (environment, kubernetes) in clusters)
        {
            results.AddRange(await preflight.CheckAsync(environment, kubernetes, cancellationToken));
        }

        var git = await host.Services.GetRequiredService<ICommandRunner>().RunAsync(CommandSpec.Create("git", "--version"), null, cancellationToken);
        results.Add(new CheckResult("this machine: git", git.Succeeded, git.Succeeded ? git.StandardOutput.Trim() : "not found — install git (deploy --repo needs it)"));

        results.Add(await DatabaseAsync(host.Services, cancellationToken));
        results.Add(await QueueAsync(host.Services, cancellationToken));
        results.Add(Trivy(host.Services));
        var tokenVariable = host.Services.GetRequiredService<IOptions<GitOptions>>().Value.TokenVariable;
        results.Add(string.IsNullOrEmpty(Environment.GetEnvironmentVariable(tokenVariable))
            ? new CheckResult("GitHub token", true, $"{tokenVariable} is not set: public repositories only (git.tokenVariable names the variable)") { Warning = true }
            : new CheckResult("GitHub token", true, $"{tokenVariable} is set (its value is not shown)"));

        // The server's settings (deploymind serve) and its webhook secret, when the configuration has a server section or a secret.
        var server = host.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var serverProblems = ServerOptionsValidator.Problems(server);
        results.AddRange(serverProblems.Count == 0
            ? [new CheckResult("configuration: server", true, "valid")]
            : serverProblems.Select(p => new CheckResult("configuration: server", false, locator.Describe(p))));
        var secrets = server.WebhookSecrets(Environment.GetEnvironmentVariable);
        results.Add(secrets.Count == 0
            ? new CheckResult("webhook secret", true, $"{server.WebhookSecretVariable} is not set: `deploymind serve` refuses webhooks until it is") { Warning = true }
            : new CheckResult("webhook secret", true, $"{secrets.Count} accepted (values not shown){(secrets.Count > 1 ? "; a rotation is under way: unset the previous one once GitHub uses the new one" : string.Empty)}"));

        var failed = results.Count(r => !r.Passed);
        if (settings.Json)
        {
            Json.Write(_console, results);
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Check", string.Empty, "Detail");
            foreach (var r in results)
            {
                table.AddRow(Markup.Escape(r.Name), !r.Passed ? "[red]✗[/]" : r.Warning ? "[yellow]![/]" : "[green]✓[/]", Markup.Escape(r.Detail));
            }

            _console.Write(table);
            var warnings = results.Count(r => r.Warning);
            var warned = warnings == 0 ? string.Empty : $" ({warnings} warning(s))";
            _console.MarkupLine(failed == 0 ? $"[green]Everything checks out.[/]{warned}" : $"[red]{failed} problem(s).[/]{warned}");
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    /// <summary>The environment's registry, or null for none or settings already reported as invalid.</summary>
    private static Application.Deploy.Delivery.RegistrySettings? RegistryOf(Application.Deploy.DeployService deploys, Application.Deploy.DeployCommand command)
    {
        try
        {
            return deploys.RegistryOf(command);
        }
        catch (DeployMind.Domain.InvalidInputException)
        {
            return null;
        }
    }

    /// <summary>The environment's Kubernetes target, or null for Docker hosts or settings already reported as invalid.</summary>
    private static KubernetesSettings? KubernetesOf(DeployService deploys, Application.Deploy.DeployCommand command)
    {
        try
        {
            return deploys.KubernetesSettingsOf(command);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    // Runs the checks; each failure names its key and, through the locator, where the key is written.
    /// <summary>The deployment records open, and their schema is migrated.</summary>
    private static async Task<CheckResult> DatabaseAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            var store = services.GetRequiredService<IDeploymentStore>();
            await store.EnsureReadyAsync(cancellationToken);
            return new CheckResult("deployment records", true, $"{store.Description} (schema up to date)");
        }
        catch (DeployMindException ex)
        {
            return new CheckResult("deployment records", false, ex.Message);
        }
    }

    /// <summary>Where jobs wait: the deployment database, or Redis answering PING.</summary>
    private static async Task<CheckResult> QueueAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<QueueOptions>>().Value;
        try
        {
            if (!options.UsesRedis)
            {
                return new CheckResult("job queue", true, "embedded (the deployment records' database; one machine, no Redis)");
            }

            var latency = await services.GetRequiredService<RedisConnection>().PingAsync(cancellationToken);
            return new CheckResult("job queue", true, $"Redis at {RedisEndpoint(options.Redis)} answers ({latency.TotalMilliseconds:F1} ms)");
        }
        catch (DeployMindException ex)
        {
            return new CheckResult("job queue", false, ex.Message);
        }
    }

    // The first endpoint of a StackExchange.Redis configuration string, without its options (a password among them).
    private static string RedisEndpoint(string configuration) => configuration.Split(',')[0].Trim();

    /// <summary>Whether images can be scanned (a warning, not a failure, when Trivy is missing).</summary>
    private static CheckResult Trivy(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<TrivyOptions>>().Value;
        if (!options.Enabled)
        {
            return new CheckResult("image scan", true, "off (security.trivy.enabled is false)") { Warning = true };
        }

        var program = ExecutableLocator.Find(options.Path);
        return program is null
            ? new CheckResult("image scan", true, $"{options.Path} is not on PATH: images are not scanned for known vulnerabilities (install Trivy, or set security.trivy.path)") { Warning = true }
            : new CheckResult("image scan", true, $"trivy at {program}");
    }

    private static CheckResult Check(IConfigurationLocator locator, string name, params Action[] checks)
    {
        var failures = new List<string>();
        foreach (var check in checks)
        {
            try
            {
                check();
            }
            catch (OptionsValidationException ex)
            {
                failures.AddRange(ex.Failures.Select(locator.Describe));
            }
            catch (DeployMindException ex)
            {
                failures.Add(locator.Describe(ex.Message));
            }
        }

        return failures.Count == 0 ? new CheckResult(name, true, "valid") : new CheckResult(name, false, string.Join("; ", failures));
    }

    /// <summary>The environment's domains and TLS settings, or null when they are not valid (reported with the environment's settings).</summary>
    private static (IReadOnlyList<string> Domains, Application.Deploy.Hosts.SiteTls? Tls)? DomainsOf(AppOptions app, string environment)
    {
        try
        {
            return (Application.Deploy.Domains.DomainNames.Of(app, environment, null), Application.Deploy.Domains.DomainNames.TlsOf(app, environment));
        }
        catch (Domain.InvalidInputException)
        {
            return null;
        }
    }
}
