using System.Globalization;
using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Hosts;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Deploy;

/// <summary>What <c>deploymind deploy</c> was asked to do; flags override the environment's configuration.</summary>
/// <param name="AppPath">The app folder.</param>
public sealed record DeployCommand(string AppPath)
{
    public string Environment { get; init; } = "production";

    public StrategyKind? Strategy { get; init; }

    /// <summary>"local" or an SSH address (user@host, ssh://user@host:port) replacing the configured hosts.</summary>
    public string? Host { get; init; }

    /// <summary>The port nginx serves the app on.</summary>
    public int? Port { get; init; }

    public string? Tag { get; init; }

    public bool NoCache { get; init; }

    /// <summary>Let blocking scan findings through for this run (recorded in the deployment's events).</summary>
    public bool AllowFindings { get; init; }

    /// <summary>The app's name when the folder's name is not it (a checkout in a temp folder): the repository's name.</summary>
    public string? App { get; init; }

    /// <summary>The nginx server name the app's site answers to (previews share a port by name); null: the whole port.</summary>
    public string? ServerName { get; init; }

    /// <summary>A pull request's preview: the app runs as its own instance, <c>&lt;app&gt;-pr-&lt;n&gt;</c>, beside the app itself.</summary>
    public int? PullRequest { get; init; }

    /// <summary>What the records say of the app's releases here (read by whoever has the records): rollbacks follow it.</summary>
    public ReleaseHistory History { get; init; } = ReleaseHistory.Unknown;
}

/// <summary>
/// Deploys built images to the environment's target with its strategy (the pipeline's deploy stage) and rolls back
/// (<c>deploymind rollback</c>); resolves the environment's configuration and flags into a <see cref="DeployRequest"/>.
/// The target (<see cref="IDeployTarget"/>: Docker hosts or a Kubernetes namespace) is chosen once from the environment's
/// <c>target:</c>, and every deploy, rollback and removal is delegated to it.
/// </summary>
public sealed class DeployService
{
    private readonly IDeployHostFactory _hosts;
    private readonly IReadOnlyList<IDeployTarget> _targets;
    private readonly AppOptions _app;
    private readonly TimeProvider _time;

    private readonly ImageDelivery? _delivery;
    private readonly BuildOptions _build;

    public DeployService(
        IDeployHostFactory hosts,
        IEnumerable<IDeployTarget> targets,
        IOptions<AppOptions> app,
        TimeProvider time,
        ImageDelivery? delivery = null,
        IOptions<BuildOptions>? build = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(targets);
        _hosts = hosts;
        _targets = [.. targets];
        _app = app.Value;
        _time = time;
        _delivery = delivery;
        _build = build?.Value ?? new BuildOptions();
    }

    /// <summary>
    /// Deploys an image that is already built: first it is pushed to the environment's registry and put on every Docker host
    /// that lacks it (<see cref="ImageDelivery"/>), then the target deploys it.
    /// </summary>
    /// <exception cref="DeployMindException">The image could not be pushed, or put on a host; nothing was changed.</exception>
    /// <exception cref="InvalidInputException">The target does not support <paramref name="strategy"/>; nothing was changed.</exception>
    public async Task<DeployOutcome> DeployImageAsync(DeployRequest request, StrategyKind strategy, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = Target(request.TargetKind);
        StrategySupport.Ensure(target, strategy);
        if (_delivery is not null)
        {
            await _delivery.DeliverAsync(request, observer, cancellationToken);
        }

        return await target.DeployAsync(request, strategy, observer, cancellationToken);
    }

    /// <summary>
    /// The registry the command's environment pushes to and pulls from: <c>environments.&lt;name&gt;.build.registry</c>, else
    /// <c>build.registry</c>; null for none.
    /// </summary>
    /// <exception cref="InvalidInputException">The registry's settings are wrong; the message names the key.</exception>
    public RegistrySettings? RegistryOf(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var environment = _app.Environment(command.Environment);
        return environment.Build.Registry is { } own
            ? RegistrySettings.Parse(own, $"environments.{command.Environment}.build.registry")
            : RegistrySettings.Parse(_build.Registry, "build.registry");
    }

    /// <summary>Rolls the environment back to the previous release kept on its target (no build).</summary>
    /// <param name="command">The app and environment.</param>
    /// <param name="variables">
    /// The app's variables for a release that must start in a new container (<see cref="ReleaseVariables.ForRollback"/>),
    /// called only then, before any host changes.
    /// </param>
    /// <param name="observer">Receives the steps.</param>
    /// <param name="cancellationToken">Stops the rollback.</param>
    public Task<(ReleaseSpec Release, DeployOutcome Outcome)> RollbackAsync(
        DeployCommand command, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> variables, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(variables);
        var template = CreateRequest(command, Path.GetFullPath(command.AppPath), "rollback") with { FreshVariables = variables };
        return Target(template.TargetKind).RollbackAsync(template, observer, cancellationToken);
    }

    /// <summary>Rolls the command's target to <paramref name="target"/>, a release recorded earlier (<paramref name="variables"/>: as for <see cref="RollbackAsync"/>).</summary>
    public Task<DeployOutcome> RollbackToAsync(
        DeployCommand command, ReleaseSpec target, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> variables, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(variables);
        // The recorded release names its app exactly (a preview's instance too): the rollback touches that app and no other.
        var template = CreateRequest(command, Path.GetFullPath(command.AppPath), target.Image);
        template = template with { Release = template.Release with { App = target.App }, FreshVariables = variables };
        return Target(template.TargetKind).RollbackToAsync(template, target, observer, cancellationToken);
    }

    /// <summary>The releases of app <paramref name="app"/> kept on the command's target, newest first.</summary>
    public Task<IReadOnlyList<ReleaseSpec>> ReleasesAsync(DeployCommand command, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var template = PlaceOf(command, app);
        return Target(template.TargetKind).ReleasesAsync(template, app, cancellationToken);
    }

    /// <summary>
    /// Removes the app <paramref name="app"/> from the command's hosts: its nginx site first (no traffic reaches it), then its
    /// containers (a closed pull request's preview). Images stay: another app's release may run the same one. What was
    /// removed, one line per host.
    /// </summary>
    public Task<IReadOnlyList<string>> RemoveAsync(DeployCommand command, string app, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(observer);
        var template = PlaceOf(command, app);
        return Target(template.TargetKind).RemoveAsync(template, app, observer, cancellationToken);
    }

    /// <summary>What is left of app <paramref name="app"/> on the command's hosts (containers, nginx site), one line per host that has any.</summary>
    public Task<IReadOnlyList<string>> LeftoversAsync(DeployCommand command, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var template = PlaceOf(command, app);
        return Target(template.TargetKind).LeftoversAsync(template, app, cancellationToken);
    }

    /// <summary>The Docker hosts the command's environment deploys to (<c>--host</c>, else its configured hosts, else this machine).</summary>
    /// <exception cref="InvalidInputException">The environment targets Kubernetes (named, with what to use instead), or a host's address is wrong.</exception>
    public IReadOnlyList<DeployHost> HostsOf(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = $"environments.{command.Environment}";
        if (TargetKindOf(command) == DeployTargetKind.Kubernetes)
        {
            throw new InvalidInputException($"{key}.target: this environment runs in Kubernetes; its containers are the cluster's pods (kubectl logs, kubectl exec, kubectl scale).");
        }

        return Hosts(command, _app.Environment(command.Environment).Target.Docker ?? new DockerTargetOptions(), key);
    }

    /// <summary>The kind of target the command's environment deploys to (its <c>target:</c>; Docker hosts unless <c>kubernetes</c> is set).</summary>
    public DeployTargetKind TargetKindOf(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return _app.Environment(command.Environment).Target.Kubernetes is null ? DeployTargetKind.Docker : DeployTargetKind.Kubernetes;
    }

    /// <summary>The target the command's environment deploys to.</summary>
    public IDeployTarget TargetOf(DeployCommand command) => Target(TargetKindOf(command));

    /// <summary>The name the command's app runs under: the app's name, or for a pull request's preview its own instance's.</summary>
    public string InstanceName(DeployCommand command, string appPath)
    {
        ArgumentNullException.ThrowIfNull(command);
        var app = AppName(appPath, command.App);
        return command.PullRequest is { } number ? PreviewOptions.AppName(app, number) : app;
    }

    /// <summary>The app's name: deploymind.yml's <c>app</c>, else <paramref name="fallback"/> (a repository's name), else the folder's name (letters, digits, '-', '_').</summary>
    public string AppName(string appPath, string? fallback = null)
    {
        var name = !string.IsNullOrWhiteSpace(_app.App) ? _app.App.Trim()
            : ImageNames.Repository(fallback ?? Path.GetFileName(Path.GetFullPath(appPath)));
        return name.Replace('.', '-');
    }

    /// <summary>The deploy request for an image: the environment's hosts, port, health and strategy settings, flags applied.</summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key.</exception>
    public DeployRequest CreateRequest(DeployCommand command, string appPath, string image) => CreateRequest(command, appPath, image, null);

    /// <summary>
    /// The deploy request for an image; for a Kubernetes target, <paramref name="detectedPort"/> (the detected app's port) is
    /// the container's port unless <c>target.kubernetes.containerPort</c> is set, and the request has no hosts.
    /// </summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key.</exception>
    public DeployRequest CreateRequest(DeployCommand command, string appPath, string image, int? detectedPort)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = $"environments.{command.Environment}";
        var environment = _app.Environment(command.Environment);
        var docker = environment.Target.Docker ?? new DockerTargetOptions();
        var kubernetes = KubernetesSettingsOf(command, detectedPort);
        var port = kubernetes?.ServicePort ?? ListenPort(command, docker, key);
        var tag = image.Contains(':', StringComparison.Ordinal) ? image[(image.LastIndexOf(':') + 1)..] : image;
        var releaseId = string.Create(CultureInfo.InvariantCulture, $"{_time.GetUtcNow():yyyyMMdd-HHmmssfff}-{tag}");
        var registry = RegistryOf(command);
        var release = new ReleaseSpec(InstanceName(command, appPath), releaseId, registry?.ImageFor(image) ?? image, null);
        return new DeployRequest(release, kubernetes is null ? Hosts(command, docker, key) : [], port, environment.HealthCheck.ToPolicy(key + ".healthCheck"))
        {
            Delivery = new ImageDeliverySettings(image, registry, Math.Max(1, docker.DeliveryConcurrency)),
            Kubernetes = kubernetes,
            Canary = environment.Canary.ToPolicy(key + ".canary"),
            ObservationWindow = Duration.Parse(environment.BlueGreen.ObservationWindow, key + ".blueGreen.observationWindow"),
            BatchSize = Math.Max(1, docker.BatchSize),
            Drain = Duration.Parse(docker.Drain, key + ".target.docker.drain"),
            Container = kubernetes is null ? ContainerSettingsOf(command, docker, release.App, key) : ContainerSettings.Default,
            Processes = kubernetes is null ? ReleaseProcesses.Of(_app, command.Environment, appPath) : ReleaseProcesses.WebOnly,
            KeepReleases = Math.Max(1, environment.KeepReleases),
            ServerName = command.ServerName,
            Domains = kubernetes is null ? Domains.DomainNames.Of(_app, command.Environment, command.PullRequest is null ? null : command.ServerName) : [],
            Tls = kubernetes is null ? Domains.DomainNames.TlsOf(_app, command.Environment) : null,
            History = command.History,
        };
    }

    /// <summary>
    /// Every problem with the environment's settings and the command's flags, each naming its key (what <c>deploymind validate</c>
    /// reports); empty when <see cref="StrategyOf"/> and <see cref="CreateRequest(DeployCommand, string, string)"/> would succeed.
    /// </summary>
    public IReadOnlyList<string> Problems(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = $"environments.{command.Environment}";
        var environment = _app.Environment(command.Environment);
        var docker = environment.Target.Docker ?? new DockerTargetOptions();
        var problems = new List<string>();

        // A Kubernetes environment has no Docker hosts: their checks (port, hosts, drain) do not apply to it.
        var onHosts = environment.Target.Kubernetes is null;
        foreach (var check in (Action[])[
            () => KubernetesSettingsOf(command),
            () => StrategyOf(command),
            () => RegistryOf(command),
            () => _ = docker.DeliveryConcurrency < 1 ? throw new InvalidInputException($"{key}.target.docker.deliveryConcurrency is {docker.DeliveryConcurrency}; it must be at least 1.") : 0,
            () => _ = onHosts ? ListenPort(command, docker, key) : 0,
            () => _ = onHosts ? Hosts(command, docker, key) : null,
            () => environment.HealthCheck.ToPolicy(key + ".healthCheck"),
            () => environment.Canary.ToPolicy(key + ".canary"),
            () => Duration.Parse(environment.BlueGreen.ObservationWindow, key + ".blueGreen.observationWindow"),
            () => _ = onHosts ? Duration.Parse(docker.Drain, key + ".target.docker.drain") : TimeSpan.Zero,
            () => _ = onHosts ? docker.Container.ToSettings(key + ".target.docker.container") : null,
            () => ProcessesOnTarget(command, onHosts),
            () => environment.Verify.ToPolicy(key + ".verify", environment.HealthCheck.Path),
            () => ScanPolicyOptions.ParseThreshold(environment.Scan.BlockAt, key + ".scan.blockAt"),
            () => ScanPolicyOptions.ParseThreshold(environment.Scan.ImageBlockAt, key + ".scan.imageBlockAt"),
            () => AppEnvironment.Of(_app, command.Environment, command.AppPath),
            () => Domains.DomainNames.Of(_app, command.Environment, null),
            () => Domains.DomainNames.TlsOf(_app, command.Environment),
            () => _ = Domains.DomainNames.TlsOf(_app, command.Environment) is not null && Domains.DomainNames.Of(_app, command.Environment, null).Count == 0
                ? throw new InvalidInputException($"{key}: tls is set but there are no domains to serve over HTTPS; add domains (or environments.{command.Environment}.domains).")
                : 0,
        ])
        {
            try
            {
                check();
            }
            catch (InvalidInputException ex)
            {
                problems.Add(ex.Message);
            }
        }

        return problems;
    }

    /// <summary>
    /// The environment's container settings; a pull request's preview gets volumes of its own instead of production's
    /// (a named volume prefixed with the preview's name, a writable host folder replaced by a volume of its own), so a
    /// preview never writes production's data.
    /// </summary>
    private static ContainerSettings ContainerSettingsOf(DeployCommand command, DockerTargetOptions docker, string instance, string key)
    {
        var settings = docker.Container.ToSettings(key + ".target.docker.container");
        return command.PullRequest is null || settings.Volumes.Count == 0
            ? settings
            : settings with { Volumes = VolumeMounts.ForPreview(settings.Volumes, instance, "app") };
    }

    /// <summary>
    /// Checks the processes (<c>processes:</c>, the Procfile); on Kubernetes, where one Deployment runs the web process, other
    /// process types and web replicas are refused with what to use instead.
    /// </summary>
    private void ProcessesOnTarget(DeployCommand command, bool onHosts)
    {
        var processes = ReleaseProcesses.Of(_app, command.Environment, Path.GetFullPath(command.AppPath));
        if (onHosts)
        {
            return;
        }

        // A Procfile's other lines are not run there (the Procfile serves other platforms too); configured ones are refused.
        var configured = processes.Others.Where(p => !processes.Origins[p.Name].StartsWith("Procfile", StringComparison.Ordinal)).ToList();
        if (configured.Count > 0)
        {
            var others = string.Join(", ", configured.Select(p => $"{p.Name} ({processes.Origins[p.Name]})"));
            throw new InvalidInputException(
                $"processes: {others} cannot run on the Kubernetes target of environments.{command.Environment}; it runs the web process only. Deploy a worker as its own app, or set its replicas to 0 for this environment (environments.{command.Environment}.processes.<name>.replicas: 0).");
        }

        if (processes.WebReplicas != 1)
        {
            throw new InvalidInputException(
                $"processes.web.replicas: on the Kubernetes target of environments.{command.Environment} the number of pods is target.kubernetes.replicas; remove processes.web.replicas for it.");
        }
    }

    /// <summary>The strategy for the command: the flag, else the environment's, else rolling; one the environment's target supports.</summary>
    /// <exception cref="InvalidInputException">
    /// The strategy is not one, or the target does not support it (e.g. "environments.staging: strategy blue-green is not
    /// supported by kubernetes targets; supported: rolling, canary"): refused before anything changes, never a fallback.
    /// </exception>
    public StrategyKind StrategyOf(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = $"environments.{command.Environment}";
        var strategy = command.Strategy ?? EnvironmentOptions.ParseStrategy(_app.Environment(command.Environment).Strategy, key + ".strategy");
        StrategySupport.Ensure(TargetOf(command), strategy, command.Strategy is null ? key : $"--strategy for {key}");
        return strategy;
    }

    /// <summary>
    /// The deploy targets the command changes, as jobs lock them: "docker:&lt;host name&gt;" (the --host flag, else the
    /// environment's hosts, else this machine), or "k8s:&lt;context&gt;/&lt;namespace&gt;/&lt;app&gt;" for a Kubernetes target.
    /// </summary>
    public IReadOnlyList<string> TargetsOf(DeployCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (KubernetesSettingsOf(command) is { } kubernetes)
        {
            return [$"k8s:{kubernetes.Display}/{InstanceName(command, command.AppPath)}"];
        }

        var docker = _app.Environment(command.Environment).Target.Docker ?? new DockerTargetOptions();
        IEnumerable<string> names = command.Host is not null ? [command.Host]
            : docker.Hosts is { Count: > 0 } configured ? configured.Select(h => h.Name)
            : [HostAddress.LocalName];
        var targets = names.Select(n => DockerTargetPrefix + n);

        // A pull request's preview locks its own instance on each host: it never waits for (or blocks) the app's deploys there.
        return command.PullRequest is null ? [.. targets] : [.. targets.Select(t => $"{t}/{InstanceName(command, command.AppPath)}")];
    }

    /// <summary>
    /// The host behind a <c>docker:</c> target of <see cref="TargetsOf"/> when it needs no configuration to reach: this
    /// machine, or an SSH address given with <c>--host</c> (a preview's <c>/&lt;instance&gt;</c> suffix dropped); null for a
    /// configured host's name or a Kubernetes target.
    /// </summary>
    public static HostOptions? ReachableHostOf(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.StartsWith(DockerTargetPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        // A configured host's name ("web-1") is not an address: it needs the configuration to be reached.
        var name = HostAddress.WithoutInstance(target[DockerTargetPrefix.Length..]);
        return name.Length > 0 && HostAddress.TryParse(name, out var address, out _) ? address switch
        {
            HostAddress.LocalHost => new HostOptions { Name = HostAddress.LocalName },
            HostAddress.Ssh => new HostOptions { Name = name, Ssh = name },
            _ => null,
        } : null;
    }

    /// <summary>The environment's Kubernetes target, checked, or null when it deploys to Docker hosts.</summary>
    /// <exception cref="InvalidInputException">A setting is invalid, both targets are set, or a Docker-only flag was given; the message names the key.</exception>
    public KubernetesSettings? KubernetesSettingsOf(DeployCommand command, int? detectedPort = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = $"environments.{command.Environment}.target";
        var target = _app.Environment(command.Environment).Target;
        if (target.Kubernetes is not { } kubernetes)
        {
            return null;
        }

        if (target.Docker is not null)
        {
            throw new InvalidInputException($"{key}: both docker and kubernetes are set; an environment deploys to one target, keep one of them.");
        }

        if (command.Host is not null)
        {
            throw new InvalidInputException($"--host: {key} is a Kubernetes namespace, not Docker hosts; drop --host or use an environment with target.docker.");
        }

        var settings = kubernetes.ToSettings(key + ".kubernetes", detectedPort);
        return WithAppEnvironment(settings, AppEnvironment.Of(_app, command.Environment, command.AppPath), key + ".kubernetes");
    }

    /// <summary>
    /// The app's variables (<c>env</c>) in a Kubernetes target: clear values join <c>target.kubernetes.env</c> (the same
    /// name with another value there, or in <c>secretEnv</c>, is a conflict); secret names become the release's Secret,
    /// its values resolved when the deploy runs (a name also in <c>target.kubernetes.env</c> or <c>secretEnv</c> is a conflict).
    /// </summary>
    private static KubernetesSettings WithAppEnvironment(KubernetesSettings settings, AppEnvironment environment, string key)
    {
        foreach (var variable in environment.Secrets)
        {
            if (settings.SecretEnv.ContainsKey(variable) || settings.Env.ContainsKey(variable))
            {
                var where = settings.SecretEnv.ContainsKey(variable) ? "secretEnv" : "env";
                throw new InvalidInputException($"{key}.{where}.{variable}: {variable} is in env.secret too; keep it in one of them.");
            }
        }

        var env = new SortedDictionary<string, string>(settings.Env.ToDictionary(), StringComparer.Ordinal);
        foreach (var (variable, value) in environment.Clear)
        {
            if (settings.SecretEnv.ContainsKey(variable))
            {
                throw new InvalidInputException($"{key}.secretEnv.{variable}: {variable} is in env.clear too; keep it in one of them.");
            }

            if (env.TryGetValue(variable, out var other) && other != value)
            {
                throw new InvalidInputException($"{key}.env.{variable}: {variable} is in env.clear with another value; keep it in one of them.");
            }

            env[variable] = value;
        }

        return settings with { Env = env, Secrets = environment.Secrets };
    }

    private const string DockerTargetPrefix = "docker:";

    private IDeployTarget Target(DeployTargetKind kind) =>
        _targets.FirstOrDefault(t => t.Kind == kind) ?? throw new InvalidOperationException($"No deploy target is registered for {kind.Name()}.");

    // Where the command's app lives, for what needs no release (removal, leftovers, the releases kept): its hosts or namespace.
    private DeployRequest PlaceOf(DeployCommand command, string app)
    {
        var kind = TargetKindOf(command);
        var docker = _app.Environment(command.Environment).Target.Docker ?? new DockerTargetOptions();
        var hosts = kind == DeployTargetKind.Docker ? Hosts(command, docker, $"environments.{command.Environment}") : [];
        return new DeployRequest(new ReleaseSpec(app, string.Empty, string.Empty, null), hosts, docker.Port, HealthPolicy.Default)
        {
            Kubernetes = kind == DeployTargetKind.Kubernetes ? KubernetesSettingsOf(command) : null,
        };
    }

    // The --port flag, else the environment's port; an error names where the bad port came from.
    private static int ListenPort(DeployCommand command, DockerTargetOptions docker, string key)
    {
        var port = command.Port ?? docker.Port;
        return port is >= 1 and <= 65535
            ? port
            : throw new InvalidInputException($"{(command.Port is null ? key + ".target.docker.port" : "--port")}: {port} is not a port (1-65535).");
    }

    // The --host flag (this machine or one SSH host), else the environment's hosts, else this machine; a configured host whose
    // address is wrong is named by its key.
    private List<DeployHost> Hosts(DeployCommand command, DockerTargetOptions docker, string key)
    {
        if (command.Host is not null)
        {
            var host = HostAddress.TryParse(command.Host, out var address, out _) && address is HostAddress.LocalHost
                ? new HostOptions { Name = HostAddress.LocalName }
                : new HostOptions { Name = command.Host, Ssh = command.Host, Key = docker.Hosts?.FirstOrDefault()?.Key, KnownHosts = docker.Hosts?.FirstOrDefault()?.KnownHosts };
            return [_hosts.Create(host)];
        }

        if (docker.Hosts is not { Count: > 0 } configured)
        {
            return [_hosts.Create(new HostOptions { Name = HostAddress.LocalName })];
        }

        var hosts = new List<DeployHost>(configured.Count);
        for (var i = 0; i < configured.Count; i++)
        {
            try
            {
                // An SSM entry with tags stands for every instance it finds (IDeployHostFactory.CreateAll).
                hosts.AddRange(_hosts.CreateAll(configured[i]));
            }
            catch (InvalidInputException ex)
            {
                throw new InvalidInputException($"{key}.target.docker.hosts[{i}].{(configured[i].Ssm is null ? "ssh" : "ssm")}: {ex.Message}", ex);
            }
        }

        return hosts;
    }
}
