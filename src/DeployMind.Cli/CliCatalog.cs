using System.Reflection;
using DeployMind.Cli.Commands;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Unsafe;

namespace DeployMind.Cli;

/// <summary>
/// Every command of <c>deploymind</c> as data: its words, the class that runs it, what it does and the examples its help
/// shows. Spectre.Console.Cli is configured from it, and so are the checks of what a user typed (<see cref="CliInput"/>),
/// shell completion (<see cref="ShellCompletion"/>) and the test that parses every example.
/// </summary>
internal static class CliCatalog
{
    /// <summary>The command groups: a word that only leads to its subcommands (<c>lock status</c>, <c>token create</c>).</summary>
    public static IReadOnlyList<CliGroup> Groups { get; } =
    [
        new("lock", "Inspect or free a deploy target's lock."),
        new("token", "Manage the REST API's bearer tokens (stored hashed; shown once when created)."),
        new("app", "What runs of an app on its environment's hosts: logs, exec, stop, start, restart, remove."),
        new("accessory", "An app's accessories (accessories: in deploymind.yml): boot, reboot, logs, remove."),
        new("certs", "The TLS certificates of apps served by domain on an environment's hosts: list, renew."),
    ];

    /// <summary>The commands, in the order help lists them.</summary>
    public static IReadOnlyList<CliCommand> Commands { get; } =
    [
        new("detect", typeof(DetectCommand), "Detect an app's language, framework, start command and port (read from the code where it is written).",
            ["detect", "examples/node-express"], ["detect", ".", "--output", "json"]),
        new("init", typeof(InitCommand), "Write a Dockerfile, .dockerignore and deploymind.yml for an app (existing files are kept unless --force).",
            ["init", "services/api"], ["init", ".", "--port", "8081", "--strategy", "canary"]),
        new("lint", typeof(LintCommand), "Check a Dockerfile (or the Dockerfile in a folder) for security, size and cache problems.",
            ["lint", "Dockerfile"], ["lint", "services/api"], ["lint", "Dockerfile", "--format", "sarif"]),
        new("build", typeof(BuildCommand), "Detect, generate or take the Dockerfile, lint it and build the image, with live progress.",
            ["build", "examples/go-stdlib"], ["build", ".", "--tag", "shop-api:1.4.2"]),
        new("validate", typeof(ValidateCommand), "Check the configuration, every host (connection, Docker, nginx, ss, curl) and Kubernetes target (reachability, version, RBAC), reporting every problem at once.",
            ["validate", "."]),
        new("scan", typeof(ScanCommand), "Scan for committed secrets and risky Docker/compose/Kubernetes settings (the pipeline's gate).",
            ["scan", "."], ["scan", ".", "--format", "sarif"]),
        new("deploy", typeof(DeployCommand), "Build the app and deploy it (rolling, canary or blue-green) behind nginx on this machine or SSH hosts.",
            ["deploy", "examples/go-stdlib", "--strategy", "canary"], ["deploy", ".", "--env", "production", "--host", "ssh://deploy@203.0.113.10:22"]),
        new("manifests", typeof(ManifestsCommand), "Print the Kubernetes manifests an environment's deploys apply (Deployment, Service, HPA, PDB, ConfigMap), as YAML or JSON.",
            ["manifests", ".", "--env", "staging"], ["manifests", "examples/go-stdlib", "--env", "staging", "--output", "json"]),
        new("rollback", typeof(RollbackCommand), "Go back to the release before a recorded deployment, or to the previous release kept on an app's hosts (no build, no scan).",
            ["rollback", "3f2a1b9c"], ["rollback", "examples/go-stdlib"]),
        new("status", typeof(StatusCommand), "Show a recorded deployment: status panel, timeline, findings.",
            ["status", "3f2a1b9c"], ["status", "3f2a1b9c", "--output", "json"]),
        new("explain", typeof(ExplainCommand), "Ask about a recorded deployment (\"why did this roll back?\"): answered from its records, by the ai: model or by rules.",
            ["explain", "3f2a1b9c"], ["explain", "3f2a1b9c", "why did the canary fail?", "--output", "json"]),
        new("list", typeof(ListCommand), "List recent deployments, newest first.",
            ["list"], ["list", "--repository", "acme/shop-api", "--environment", "production", "--limit", "5"]),
        new("logs", typeof(LogsCommand), "Print a deployment's log (stage reports, build output, deploy steps, health checks).",
            ["logs", "3f2a1b9c"], ["logs", "3f2a1b9c", "--follow"]),
        new("serve", typeof(ServeCommand), "Run the server: GitHub webhooks, the REST API, health and metrics, with its own workers.",
            ["serve"], ["serve", "--urls", "http://127.0.0.1:8090", "--no-workers"]),
        new("worker", typeof(WorkerCommand), "Take an environment's deployment jobs and run them (locks per target, takeover of a dead worker's jobs).",
            ["worker", "--environment", "production", "--concurrency", "2"]),
        new("queue", typeof(QueueCommand), "Show the job queues: waiting, in flight, dead letters, oldest waiting.",
            ["queue", "--environment", "production", "--dead-letters"]),
        new("apps", typeof(AppsCommand), "Every app and environment: the release live, where, since when, whether it runs, and a deployment in progress.",
            ["apps"], ["apps", "--output", "json"]),
        new("app logs", typeof(AppLogsCommand), "The app's running containers' output on every host, each line tagged with its host and container.",
            ["app", "logs", "examples/go-stdlib"], ["app", "logs", ".", "--env", "staging", "--follow", "--lines", "20"], ["app", "logs", ".", "--process", "worker", "--since", "10m"]),
        new("app exec", typeof(AppExecCommand), "Run a command in a running container of the app's live release (-it: a shell on your terminal); its exit code.",
            ["app", "exec", ".", "--", "ls", "-la", "/app"], ["app", "exec", ".", "--env", "staging", "--on", "local", "--", "env"], ["app", "exec", "-it", ".", "--host", "web-1"]),
        new("app stop", typeof(AppStopCommand), "Stop the app's running containers on every host (holding the targets' locks).",
            ["app", "stop", "."], ["app", "stop", ".", "--env", "staging", "--grace", "30s"]),
        new("app start", typeof(AppStartCommand), "Start the live release's containers again where they are stopped.",
            ["app", "start", "."]),
        new("app restart", typeof(AppRestartCommand), "Stop the app's containers, then start the live release's again.",
            ["app", "restart", ".", "--env", "production"]),
        new("app remove", typeof(AppRemoveCommand), "Remove the app from its environment: nginx site, containers, images, and with --volumes its named volumes (asks first; --yes for scripts), recorded.",
            ["app", "remove", ".", "--env", "staging"], ["app", "remove", "services/api", "--yes"], ["app", "remove", ".", "--volumes", "--yes"]),
        new("accessory boot", typeof(AccessoryBootCommand), "Start an accessory (or all) unless it runs: created once with its volumes, started again when stopped.",
            ["accessory", "boot", "db"], ["accessory", "boot", "all", "services/api", "--env", "staging"]),
        new("accessory reboot", typeof(AccessoryRebootCommand), "Recreate an accessory's container (a new image or settings); its volumes stay.",
            ["accessory", "reboot", "cache", "."]),
        new("accessory logs", typeof(AccessoryLogsCommand), "An accessory's output, tagged with its host and container.",
            ["accessory", "logs", "db", ".", "--lines", "50"], ["accessory", "logs", "db", "--follow"]),
        new("accessory remove", typeof(AccessoryRemoveCommand), "Remove an accessory's container (asks first; --yes for scripts); its named volumes only with --volumes.",
            ["accessory", "remove", "cache", ".", "--yes"], ["accessory", "remove", "db", ".", "--volumes"]),
        new("certs list", typeof(CertsListCommand), "The certificates of the sites serving domains over HTTPS on the environment's hosts, with their expiry.",
            ["certs", "list", "."], ["certs", "list", ".", "--env", "staging", "--output", "json"]),
        new("certs renew", typeof(CertsRenewCommand), "Renew the app's ACME certificates that are due on its hosts (--force: now; --all: every app there), each loaded by a tested reload.",
            ["certs", "renew", "."], ["certs", "renew", ".", "--force"], ["certs", "renew", ".", "--all"]),
        new("lock status", typeof(LockStatusCommand), "Who holds a target's lock.", ["lock", "status", "docker:local"]),
        new("lock release", typeof(LockReleaseCommand), "Free a target's lock whoever holds it.", ["lock", "release", "docker:web-1"]),
        new("token create", typeof(TokenCreateCommand), "Create a token (scope read, deploy or admin; default deploy) and print it once.", ["token", "create", "ci", "--scope", "deploy"]),
        new("token list", typeof(TokenListCommand), "List the tokens: names, scopes, created, last used, revoked.", ["token", "list", "--output", "json"]),
        new("token revoke", typeof(TokenRevokeCommand), "Revoke a token: requests with it get 401.", ["token", "revoke", "ci"]),
        new("completion", typeof(CompletionCommand), "Print the shell completion script for bash, zsh or fish.",
            ["completion", "bash"], ["completion", "fish"]),
    ];

    /// <summary>The words that start a command line: commands, groups, and <c>help</c>.</summary>
    public static IEnumerable<string> FirstWords =>
        Commands.Select(c => c.Words[0]).Concat(Groups.Select(g => g.Name)).Append("help").Distinct(StringComparer.Ordinal);

    /// <summary>The command named by <paramref name="words"/> ("lock status"), or null.</summary>
    public static CliCommand? Find(string words) => Commands.FirstOrDefault(c => c.Name == words);

    /// <summary>The group named <paramref name="name"/>, or null.</summary>
    public static CliGroup? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);

    /// <summary>Registers every command and group with Spectre.Console.Cli.</summary>
    public static void Register(IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var command in Commands.Where(c => c.Words.Count == 1))
        {
            Describe(config.SafetyOff().AddCommand(command.Name, command.Type), command);
        }

        foreach (var group in Groups)
        {
            config.AddBranch(group.Name, branch =>
            {
                branch.SetDescription(group.Description);
                foreach (var command in Commands.Where(c => c.Words.Count == 2 && c.Words[0] == group.Name))
                {
                    Describe(branch.SafetyOff().AddCommand(command.Words[1], command.Type), command);
                }
            });
        }
    }

    private static void Describe(ICommandConfigurator configurator, CliCommand command)
    {
        configurator.WithDescription(command.Description);
        foreach (var example in command.Examples)
        {
            configurator.WithExample([.. example]);
        }
    }
}

/// <summary>A word that groups subcommands (<c>lock</c>, <c>token</c>).</summary>
internal sealed record CliGroup(string Name, string Description);

/// <summary>One command: its words ("lock status"), the class that runs it, its description and help examples.</summary>
internal sealed record CliCommand
{
    public CliCommand(string name, Type type, string description, params string[][] examples)
    {
        Name = name;
        Type = type;
        Description = description;
        Examples = examples;
        Words = name.Split(' ');
        Settings = SettingsOf(type);
        Options = [.. Settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(o => o.Attribute is not null)
            .Select(o => new CliOption(o.Attribute!.LongNames, o.Attribute.ShortNames, o.Attribute.ValueName, o.Property.PropertyType,
                o.Property.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description ?? string.Empty))];
        Arguments = [.. Settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandArgumentAttribute>())
            .Where(a => a is not null)
            .OrderBy(a => a!.Position)
            .Select(a => a!.ValueName)];
    }

    public string Name { get; }

    public Type Type { get; }

    public string Description { get; }

    public IReadOnlyList<string[]> Examples { get; }

    public IReadOnlyList<string> Words { get; }

    /// <summary>The settings class Spectre binds the command line to.</summary>
    public Type Settings { get; }

    /// <summary>The command's options (with <c>-h|--help</c>, which every command takes, left out).</summary>
    public IReadOnlyList<CliOption> Options { get; }

    /// <summary>The positional arguments' value names, in order ("PATH", "ID").</summary>
    public IReadOnlyList<string> Arguments { get; }

    private static Type SettingsOf(Type command)
    {
        for (var type = command; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(AsyncCommand<>) || type.GetGenericTypeDefinition() == typeof(Command<>)))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new ArgumentException($"{command.Name} is not a Spectre command with settings.", nameof(command));
    }
}

/// <summary>An option of a command: its names, the value it takes (null for a flag), the property's type and description.</summary>
internal sealed record CliOption(IReadOnlyList<string> LongNames, IReadOnlyList<string> ShortNames, string? ValueName, Type PropertyType, string Description)
{
    /// <summary>Every way to write it: <c>--strategy</c>, <c>-s</c>.</summary>
    public IEnumerable<string> Spellings => LongNames.Select(n => "--" + n).Concat(ShortNames.Select(n => "-" + n));

    /// <summary>True when it is followed by a value (<c>--port 8081</c>), false for a flag (<c>--force</c>).</summary>
    public bool TakesValue => ValueName is not null && PropertyType != typeof(bool);
}
